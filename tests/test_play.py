"""`bargainsim play`: scripted games through the command line, the seat hook, the predictions."""

from __future__ import annotations

import io
import re
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from bargainsim import theory
from bargainsim.game.play import EXIT_ABANDONED, EXIT_FINISHED
from bargainsim.game.play import play as play_game
from bargainsim.game.prediction import predict
from bargainsim.model import BargainingModel
from bargainsim.runner import record, run
from bargainsim.scenario import MODES, load_scenario
from pinned import EARLY_TALKS, as_set_options

ROOT = Path(__file__).resolve().parents[1]
FARATIN = str(ROOT / "scenarios" / "classroom" / "faratin.yaml")
RUBINSTEIN = str(ROOT / "scenarios" / "classroom" / "rubinstein.yaml")
WGA = str(ROOT / "scenarios" / "wga_2023.yaml")
MOVE_PROMPT = re.compile(r"^your move \([^)]*\): ", re.M)


def play(*args: str, answers: list[str] | None = None, text: str | None = None
         ) -> subprocess.CompletedProcess[str]:
    """Run `bargainsim play` with the answers on standard input, one a line."""
    stdin = text if text is not None else "".join(a + "\n" for a in answers or [])
    return subprocess.run(
        [sys.executable, "-m", "bargainsim", "play", *args],
        input=stdin, capture_output=True, text=True, timeout=120, cwd=ROOT,
    )


def row(out: str, label: str) -> list[str]:
    """The cells of a row of the end-of-game table."""
    for line in out.splitlines():
        if line.startswith(label + "  "):
            return re.split(r"\s{2,}", line[len(label):].strip())
    raise AssertionError(f"no row {label!r} in:\n{out}")


def flat(out: str) -> str:
    """The output with wrapped lines joined again (a continuation is indented deeper)."""
    lines: list[str] = []
    for line in out.splitlines():
        indent = len(line) - len(line.lstrip())
        if lines and line.strip() and indent >= 2 and indent == _indent(lines[-1]) + 2:
            lines[-1] += " " + line.strip()
        else:
            lines.append(line)
    return "\n".join(lines)


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def assert_clean(proc: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in proc.stdout + proc.stderr


# ----------------------------------------------------------------------------- games
def test_faratin_as_union_settles_and_compares_with_agents_and_theory():
    proc = play(FARATIN, "--as", "union",
                answers=["9", "8", "7", "6.5", "s", "s", "s", "6", *["s"] * 10])
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc)
    out = proc.stdout
    # the studio's own offer reaches 6 at step 20 and beats it at 21: it accepts ours
    assert "step 21: DEAL with studio: wage=6" in out
    assert re.search(r"^\s+you\s+agents\s+theory$", out, re.M)
    step, value = theory.faratin_agreement(
        theory.FaratinSide(0.5, 0.0, 20, 4, 10), theory.FaratinSide(2.0, 0.0, 20, 0, 6))
    assert row(out, "deal accepted at step") == ["21", str(step), str(step)]
    assert row(out, "  wage") == ["6", f"{value:.4f}", f"{value:.4f}"]
    assert row(out, "your utility (0-1)") == ["0.6", f"{value / 10:.4f}", f"{value / 10:.4f}"]
    assert "Faratin, Sierra & Jennings (1998)" in out


def test_a_student_playing_the_agent_strategy_gets_the_agent_result():
    # hold at 10 (the union's opening) and accept at step 18, where the Boulware agent would
    proc = play(FARATIN, "--as", "union", answers=["10", *["s"] * 8, "a"])
    assert proc.returncode == 0, proc.stderr
    assert "step 18: DEAL with studio: wage=5.5317" in proc.stdout
    assert row(proc.stdout, "deal accepted at step") == ["18", "18", "18"]


def test_faratin_as_the_studio():
    proc = play(FARATIN, "--as", "studio", answers=["3", "4", "5", *["s"] * 10])
    assert proc.returncode == 0, proc.stderr
    cells = row(proc.stdout, "deal accepted at step")
    assert cells[1:] == ["18", "18"]
    wage = float(row(proc.stdout, "  wage")[0])
    assert row(proc.stdout, "your utility (0-1)")[0] == f"{1 - wage / 10:.4f}".rstrip("0")


def test_rubinstein_offer_at_the_closed_form_is_accepted_at_once():
    share = theory.rubinstein_share(0.9, 0.8)
    proc = play(RUBINSTEIN, "--as", "union", answers=[f"{share:.7f}"])
    assert proc.returncode == 0, proc.stderr
    assert row(proc.stdout, "deal accepted at step") == ["1", "1", "1"]
    assert row(proc.stdout, "  share")[1:] == ["0.7143", "0.7143"]
    assert "Rubinstein (1982), infinite horizon" in proc.stdout


def test_rubinstein_greed_is_refused_and_waiting_is_discounted():
    proc = play(RUBINSTEIN, "--as", "union", answers=["0.8", "a"])
    assert proc.returncode == 0, proc.stderr
    responder_keeps = theory.rubinstein_share(0.8, 0.9)  # the studio proposes at step 1
    offered = 1 - responder_keeps
    assert row(proc.stdout, "deal accepted at step")[0] == "2"
    assert row(proc.stdout, "  share")[0] == f"{offered:.4f}"
    discounted = row(proc.stdout, "after discounting (0.9/move)")
    assert discounted[0] == f"{offered * 0.9:.4f}"
    assert discounted[1:] == [f"{theory.rubinstein_share(0.9, 0.8):.4f}"] * 2


def test_set_overrides_reach_the_game_and_the_theory():
    proc = play(RUBINSTEIN, "--as", "union", "--set", "parties.studio.discount=0.95",
                answers=["0.3"])
    assert proc.returncode == 0, proc.stderr
    expected = f"{theory.rubinstein_share(0.9, 0.95):.4f}"
    assert row(proc.stdout, "  share") == ["0.3", expected, expected]


def test_wga_as_union_in_coalition_settles_and_compares_with_the_agents():
    proc = play(WGA, "--as", "union", "--seed", "0",
                answers=["wage=13 residuals=60 staffing=5 ai=0.7 data=0.4", *["s"] * 100])
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc)
    out = proc.stdout
    deal = r"^   DEAL with amptp \(for disney, .*members voted \d+% yes$"
    assert re.search(deal, flat(out), re.M)
    agents = run(load_scenario(WGA), seed=0)
    settled = row(out, "every company settled (week)")
    assert settled[1] == str(agents["settlement_step"])
    assert settled[0].isdigit()
    assert row(out, "union utility (0-1)")[1] == f"{agents['union_utility']:.3f}"
    assert row(out, "  wage")[0] == "13"
    assert "Last deal: week" in out
    assert "no closed form applies" in out


def test_wga_as_a_company_in_separate_mode():
    proc = play(WGA, "--as", "netflix", "--mode", "separate", "--seed", "2",
                answers=["wage=13 residuals=60 staffing=6 ai=0.8 data=0.4", *["s"] * 10,
                         *["a"] * 60])
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    agents = run(load_scenario(WGA), mode="separate", seed=2)
    netflix = agents["companies"]["netflix"]
    assert row(out, "netflix's deal (week)")[1] == str(netflix["settlement_step"])
    assert row(out, "strike losses $M")[1] == f"{netflix['losses']:,.0f}"
    assert "DEAL with wga: wage=" in out and "DEAL with netflix" not in out  # the other side
    assert re.search(r"^week \d+ ends: losses \$\d+M this week, \$[\d,]+M so far", out, re.M)


def test_breaking_ranks_as_a_company():
    proc = play(WGA, "--as", "netflix", "--mode", "breakaway", *as_set_options(EARLY_TALKS),
                answers=["n", "n", "y", *["a"] * 80])
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert out.count("leave amptp and bargain alone? (y/n) ") == 3
    assert "   netflix breaks away from amptp" in out
    assert "-- week 2, round 2 of 4 -- netflix (you) vs wga" in out
    assert "DEAL with wga: wage=" in out and "DEAL with netflix" not in out
    # the alliance's deal, which netflix only watches, names both sides
    assert re.search(r"^   DEAL between amptp \(for .*\) and wga: wage=", flat(out), re.M)


def test_signing_an_interim_agreement_as_a_company():
    # the late-night company bargains at its own table from week 3; from week 6 the union
    # offers it an interim agreement (its moves are repeated, extra answers re-ask)
    proc = play(str(ROOT / "scenarios" / "wga_2007.yaml"), "--as", "late_night",
                answers=[*["s"] * 20, "y"])
    assert proc.returncode == 0, proc.stderr
    assert_clean(proc)
    out = proc.stdout
    assert "-- week 6 -- late_night (you): wga offers an interim agreement" in out
    assert re.search(r"signing, you expect to gain \$\d+M .* for \$\d+M", flat(out))
    assert "sign the interim agreement and go back to work? (y/n) y" in out
    assert "   late_night signs an interim agreement and goes back to work" in out
    assert "week 7 ends: back at work on an interim agreement since week 6" in out


def test_play_in_process_over_text_streams():
    out = io.StringIO()
    answers = io.StringIO("10\n" + "s\n" * 8 + "a\n")
    status = play_game(load_scenario(FARATIN), "studio", stdin=io.StringIO("a\n"), stdout=out)
    assert status == EXIT_FINISHED  # the studio accepts the union's opening 10 at once
    assert "step 1: DEAL with union: wage=10" in out.getvalue()  # the studio's other side
    out = io.StringIO()
    assert play_game(load_scenario(FARATIN), "union", stdin=answers, stdout=out) == EXIT_FINISHED
    assert "your move (the union's wage / s / ? / q): 10\n" in out.getvalue()  # echoed
    assert "step 18: DEAL with studio: wage=5.5317" in out.getvalue()
    assert play_game(load_scenario(FARATIN), "union", stdin=io.StringIO(""),
                     stdout=io.StringIO()) == EXIT_ABANDONED


def test_the_studio_is_told_the_share_is_the_unions_where_it_types():
    proc = play(RUBINSTEIN, "--as", "studio", answers=["0.6429"])
    assert proc.returncode == 0, proc.stderr
    out = flat(proc.stdout)
    # the intro's worked example is in the studio's own terms: 0.6 for the union leaves 0.4
    assert "share is the union's (share of the pie): you type what the union gets; " \
        "share=0.6 is worth 0.4 to you." in out
    assert "your move (a / the union's share / s / ? / q): 0.6429" in out
    assert "step 2: DEAL with union: share=0.6429" in out  # the studio's other side
    assert row(proc.stdout, "your utility (0-1)")[0] == "0.3571"
    union = play(RUBINSTEIN, "--as", "union", answers=["0.8", "a"]).stdout
    assert "share=0.6 is worth 0.6 to you." in flat(union)
    assert "step 2: DEAL with studio: share=0.6429" in union


PACKAGE = "wage=12 residuals=50 staffing=5 ai=0.8 data=0.6"


@pytest.mark.parametrize(("args", "answers"), [
    ((RUBINSTEIN, "--as", "studio"), ["?", "0.6429"]),
    ((FARATIN, "--as", "union"), ["?", "10", *["s"] * 30]),
    ((WGA, "--as", "union", "--mode", "separate", "--seed", "1"), ["?", PACKAGE, *["s"] * 400]),
    ((WGA, "--as", "disney", "--mode", "breakaway"),
     ["n", "?", "n", "y", "?", PACKAGE, "s", "s", "s", "a"]),
])
def test_every_line_fits_80_columns(args, answers):
    """Status lines, headers, help and the report wrap between words; typed answers aside."""
    proc = play(*args, answers=answers)
    assert proc.returncode == 0, proc.stdout[-3000:]
    lines = proc.stdout.splitlines()
    long = [line for line in lines if len(line) > 80 and not MOVE_PROMPT.match(line)]
    assert not long, long
    assert any(line.startswith("  ") and len(line) > 60 for line in lines)  # wrapped text
    words = re.findall(r"[a-z]+", proc.stdout)
    assert "mpany" not in words and "ompany" not in words  # nothing cut mid-word


# ----------------------------------------------------------------------------- bad input
def _reasked(out: str, prompt: str, hints: int) -> None:
    """Each hint is followed by the same question again."""
    lines = out.splitlines()
    found = [i for i, line in enumerate(lines) if line.startswith("  ! ")]
    assert len(found) == hints, out
    for i in found:
        end, text = i, lines[i]  # a long hint is wrapped: its continuations are indented
        while not text.endswith("(type ? for help)"):
            end += 1
            assert lines[end].startswith("    "), lines[i:end + 1]
            text += " " + lines[end].strip()
        around = lines[i - 1:end + 2]
        assert around[0].startswith(prompt) and around[-1].startswith(prompt), around


def test_bad_moves_get_a_hint_and_the_question_again():
    bad = ["a", "x", "11", "-1", "wage=abc", "wage=nan", "foo=2", "", "accept now"]
    proc = play(FARATIN, "--as", "union", answers=[*bad, "q"])
    assert proc.returncode == 3
    out = proc.stdout
    _reasked(out, "your move (", len(bad))
    assert "there is no offer from the other side to accept now" in out
    assert "wage: 'x' is not a number" in out
    assert "wage must be between 0 and 10 (%)" in out
    assert "no issue called 'foo'; the issues are wage" in out
    assert "type a to accept, or a counter-offer such as wage=5 or just 5" in out
    assert len(MOVE_PROMPT.findall(out)) == len(bad) + 1  # never moved on


def test_bad_multi_issue_moves_get_a_hint():
    bad = ["5", "wage=25", "wage=1 bogus=3", "wage 5"]
    proc = play(WGA, "--as", "union", answers=[*bad, "q"])
    assert proc.returncode == 3
    _reasked(proc.stdout, "your move (", len(bad))
    assert "'5': name the issue, as in wage=10 residuals=50" in proc.stdout
    assert "wage must be between 0 and 20 (% over 3 years, compounded)" in proc.stdout


def test_bad_consent_answers_get_a_hint():
    proc = play(WGA, "--as", "netflix", "--seed", "0", answers=["maybe", "", "yes please", "y"])
    assert proc.returncode == 0, proc.stderr
    _reasked(proc.stdout, "consent to this deal? (y/n) ", 3)
    assert "'maybe' is not an answer here: type y or n" in proc.stdout
    assert "please answer y or n" in proc.stdout


def test_bad_leave_answers_get_a_hint():
    proc = play(WGA, "--as", "netflix", "--mode", "breakaway", *as_set_options(EARLY_TALKS),
                answers=["stay", "", "n", "q"])
    assert proc.returncode == 3
    _reasked(proc.stdout, "leave amptp and bargain alone? (y/n) ", 2)


@pytest.mark.parametrize(
    ("args", "answers", "prompt", "help_line"),
    [
        ((FARATIN, "--as", "union"), ["?", "q"], "your move (", "counter-offer; issues you"),
        ((FARATIN, "--as", "union"), ["9", "?", "q"], "your move (",
         "The agent strategy in your seat would offer wage=9.94."),
        ((WGA, "--as", "netflix", "--seed", "0"), ["?", "q"], "consent to this deal?",
         "y consent"),
        ((WGA, "--as", "netflix", "--mode", "breakaway"), ["?", "q"], "leave amptp",
         "y leave, n stay"),
    ],
)
def test_question_mark_gives_help_and_asks_again(args, answers, prompt, help_line):
    proc = play(*args, answers=answers)
    assert proc.returncode == 3
    out = proc.stdout
    assert help_line in out
    assert "The agent strategy in your seat would" in out
    after = out[out.index(help_line):]
    assert prompt in after  # the question again


# ----------------------------------------------------------------------------- leaving
@pytest.mark.parametrize("stdin", ["", "9\n8\n", "9\nq\n", "9\nquit\n"])
def test_end_of_input_or_quit_abandons_cleanly_with_exit_3(stdin):
    proc = play(FARATIN, "--as", "union", text=stdin)
    assert proc.returncode == 3
    assert_clean(proc)
    assert re.search(r"^game abandoned at step \d+: (end of input|you quit) \(exit status 3\)$",
                     proc.stdout, re.M)
    assert proc.stderr == ""


def test_end_of_input_mid_week_game():
    proc = play(WGA, "--as", "union", *as_set_options(EARLY_TALKS), answers=["s", "s", "s"])
    assert proc.returncode == 3
    assert_clean(proc)
    assert "game abandoned at week 2: end of input" in proc.stdout


def test_ctrl_c_at_a_question_abandons_cleanly():
    proc = subprocess.Popen(
        [sys.executable, "-m", "bargainsim", "play", FARATIN, "--as", "union"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        cwd=ROOT,
        # a shell's background job (as CI may be) ignores SIGINT and its children inherit
        # that; give the game the default disposition, as a terminal would
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stdout is not None
    seen = ""
    while "your move" not in seen:  # the first question, or the game's end (EOF)
        char = proc.stdout.read(1)
        if not char:
            break
        seen += char
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 3
    assert "interrupted (Ctrl-C) (exit status 3)" in out
    assert "Traceback" not in out + err


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((WGA, "--as", "hbo"), "--as: hbo: "),
        ((WGA, "--as", "Netflix"), "choose union (wga) or a company: disney, netflix,"),
        ((str(ROOT / "scenarios/classroom/attrition.yaml"), "--as", "union"),
         "protocol.clock: play needs clock 'move' or 'week'"),
        ((WGA,), "--as SIDE: name a scenario and the side you play"),
        ((WGA, "--as", "union", "--mode", "merger"), "invalid choice: 'merger'"),
        ((WGA, "--as", "union", "--set", "parties.wga.discount=2"), "parties.wga.discount"),
        (("missing.yaml", "--as", "union"), "missing.yaml"),
    ],
)
def test_bad_arguments_exit_2_with_a_message(args, message):
    proc = play(*args, text="a\n")
    assert proc.returncode == 2
    assert message in proc.stderr
    assert_clean(proc)
    assert proc.stdout == ""


def test_the_union_can_be_named_by_its_name():
    proc = play(FARATIN, "--as", "union", text="q\n")
    by_name = play(WGA, "--as", "wga", text="q\n")
    assert proc.returncode == by_name.returncode == 3
    assert "You are wga (the union)" in by_name.stdout


# ----------------------------------------------------------------------------- the hook
class Mirror:
    """A player that decides exactly as the seat's own strategy would."""

    def __init__(self) -> None:
        self.calls = 0

    def accept(self, party, vector, t, dt, table):  # noqa: ANN001, ANN201
        self.calls += 1
        return party.accepts(vector, t, dt, table)

    def propose(self, party, t, table):  # noqa: ANN001, ANN201
        self.calls += 1
        return party.offer(t, table)

    def leave(self, party):  # noqa: ANN001, ANN201
        self.calls += 1
        return party.wants_to_leave()


@pytest.mark.parametrize("mode", MODES)
@pytest.mark.parametrize("side", ["wga", "netflix", "sony"])
def test_a_seat_that_mirrors_the_strategy_changes_nothing(mode, side):
    spec = load_scenario(WGA)
    expected = run(spec, mode=mode, seed=3)
    model = BargainingModel(spec, mode=mode, seed=3)
    mirror = Mirror()
    party = model.union if side == "wga" else model.companies[side]
    party.player = mirror
    assert record(model.run()) == expected
    if mode != "coalition" or side == "wga":
        assert mirror.calls > 0


def test_a_seated_coalition_member_decides_the_alliance_acceptance():
    spec = load_scenario(WGA)

    class Refuse(Mirror):
        def accept(self, party, vector, t, dt, table):  # noqa: ANN001, ANN201
            self.calls += 1
            return False

    agents = BargainingModel(spec, mode="coalition", seed=0).run()
    # with the agents, the alliance accepts the union's offer (the last offer is the union's)
    assert agents.tables[0].closed and agents.tables[0].standing[0] == "union"
    model = BargainingModel(spec, mode="coalition", seed=0)
    refuse = Refuse()
    model.companies["netflix"].player = refuse
    model.run()
    assert refuse.calls == 1  # asked only when its answer decides
    # refused: the alliance answers with its own offer, which the union takes
    assert model.tables[0].closed and model.tables[0].standing[0] == "employer"


# ----------------------------------------------------------------------------- theory
@pytest.mark.parametrize(
    ("name", "overrides"),
    [
        ("faratin", []),
        ("faratin", ["parties.union.tactic.beta=1"]),
        ("faratin", ["parties.union.tactic.beta=2", "parties.studio.tactic.beta=0.5"]),
        ("rubinstein", []),
        ("rubinstein", ["parties.studio.discount=0.95"]),
        ("rubinstein", ["parties.union.tactic.rounds=3", "parties.studio.tactic.rounds=3"]),
        ("rubinstein", ["protocol.first_mover=employer"]),
    ],
)
def test_predictions_match_the_engine(name, overrides):
    spec = load_scenario(ROOT / "scenarios" / "classroom" / f"{name}.yaml", overrides)
    prediction = predict(BargainingModel(spec))
    assert prediction is not None
    rec = run(spec)
    assert prediction.step == rec["settlement_step"]
    for issue, value in prediction.terms.items():
        assert rec["deals"][0]["terms"][issue] == pytest.approx(value, abs=1e-9)


@pytest.mark.parametrize(
    ("path", "overrides"),
    [
        (WGA, []),
        (FARATIN, ["parties.union.discount=0.9"]),
        (RUBINSTEIN, ["parties.union.opening.share=0.8"]),
        (RUBINSTEIN, ["parties.union.tactic.rounds=3"]),
    ],
)
def test_no_prediction_where_no_closed_form_applies(path, overrides):
    assert predict(BargainingModel(load_scenario(path, overrides))) is None


def test_two_values_or_a_repeated_issue_get_a_hint_and_spaces_are_fine():
    proc = play(FARATIN, "--as", "union", answers=["10 11", "wage = 9.5", "q"])
    assert proc.returncode == 3
    _reasked(proc.stdout, "your move (", 1)
    assert "give one value for wage" in proc.stdout  # and "wage = 9.5" got no hint (1 above)
    proc = play(WGA, "--as", "union", answers=["wage=12 wage=13", "q"])
    assert proc.returncode == 3
    _reasked(proc.stdout, "your move (", 1)
    assert "wage is given twice; give each issue once" in proc.stdout

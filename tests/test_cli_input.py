"""Bad input to the `bargainsim` command: exit code 2, a clear message, never a traceback.

The cases of each kind are tested where the work is done: the YAML reader in
tests/test_yamlio.py, the scenario schema and `--set` overrides in tests/test_scenario.py.
Here one or two cases of each kind of failure, for `validate` and `run`, prove that the
command reports them: exit 2, every stderr line `FILE: key.path (line N): message`, no
traceback. Most cases call `bargainsim.cli.main` in-process (an exception escaping `main`
fails the test); a few run the real command in a subprocess. Each call is bounded by CPU
time (work done), never by elapsed time.
"""

from __future__ import annotations

import re
import signal
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bargainsim.cli import main
from documents import (
    BASE,
    FARATIN,
    ROOT,
    STUDIO_DISCOUNT,
    billion_laughs,
    line_of,
    mutate,
    nested_flow,
    random_binary,
    studio_discount,
    write,
)
from limits import CPU_LIMIT, CpuLimit, child_limits

HANG_TIMEOUT = 300  # seconds before a subprocess that does nothing (a hang) is killed

LINE_RE = re.compile(r"^(?P<loc>\(top level\)|\S+?)(?: \(line (?P<line>\d+)\))?: (?P<msg>.+)$")

Cli = Callable[..., tuple[int, str, str]]


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class Reported:
    """One parsed stderr problem line."""

    loc: str
    line: int | None
    msg: str


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], cpu_limit: CpuLimit) -> Cli:
    """Call `main` in-process: `cli(*args)` gives (exit code, stdout, stderr)."""

    def call(*args: str) -> tuple[int, str, str]:
        capsys.readouterr()
        with cpu_limit(CPU_LIMIT):
            try:
                code = main(list(args))
            except SystemExit as exc:  # argparse usage errors exit through SystemExit
                code = exc.code if isinstance(exc.code, int) else 1
        out, err = capsys.readouterr()
        return code, out, err

    return call


def run_cmd(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run the real command (`python -m bargainsim`) in a subprocess, its work bounded.

    The child may use CPU_LIMIT seconds of CPU time (the kernel stops it after that);
    HANG_TIMEOUT only stops one that waits forever.
    """
    proc = subprocess.run(
        [sys.executable, "-m", "bargainsim", *args],
        capture_output=True,
        text=True,
        encoding="utf-8",
        errors="replace",
        timeout=HANG_TIMEOUT,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        preexec_fn=child_limits(),
    )
    assert proc.returncode != -signal.SIGXCPU, (
        f"bargainsim {' '.join(args)[:80]} used more than {CPU_LIMIT} s of CPU"
    )
    return proc


def problems_of(err: str, source: str) -> list[Reported]:
    """Parse stderr into problems, asserting every line is `SOURCE: loc (line N): msg`."""
    assert "Traceback" not in err
    lines = [ln for ln in err.splitlines() if ln.strip()]
    assert lines, "no problem was reported on stderr"
    out = []
    for ln in lines:
        prefix = f"{source}: "
        assert ln.startswith(prefix), f"line does not name {source!r}: {ln!r}"
        match = LINE_RE.match(ln[len(prefix) :])
        assert match, f"line is not `FILE: key.path (line N): message`: {ln!r}"
        line = int(match["line"]) if match["line"] else None
        out.append(Reported(match["loc"], line, match["msg"]))
    return out


def assert_rejected(
    code: int, out: str, err: str, source: str, needles: tuple[str, ...]
) -> list[Reported]:
    """Exit 2, no traceback, no `ok`, every needle in stderr (case-insensitive)."""
    assert code == 2, f"exit code {code}, stderr: {err!r}"
    assert "Traceback" not in err and "Traceback" not in out
    assert ": ok" not in out
    for needle in needles:
        assert needle.lower() in err.lower(), f"{needle!r} not in stderr: {err!r}"
    return problems_of(err, source)


def assert_usage_error(code: int, out: str, err: str, needles: tuple[str, ...]) -> None:
    """An argparse-style error: exit 2, `error:` and the needles, no traceback."""
    assert code == 2, f"exit code {code}, stderr: {err!r}"
    assert "Traceback" not in err and "Traceback" not in out
    assert "error:" in err
    for needle in needles:
        assert needle.lower() in err.lower(), f"{needle!r} not in stderr: {err!r}"


def assert_command_rejected(proc: subprocess.CompletedProcess[str],
                            needles: tuple[str, ...]) -> None:
    """The real command: exit 2, nothing on stdout, no traceback, the needles on stderr."""
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    for needle in needles:
        assert needle.lower() in proc.stderr.lower(), proc.stderr


# --------------------------------------------------------------------------- validate

# One case of each kind: (content; None for no file, "" for a folder), location,
# a substring whose line the problem must report (None: no line), needles.
VALIDATE_CASES = [
    pytest.param(None, "(top level)", None, ("no such file",), id="missing-file"),
    pytest.param("", "(top level)", None, ("is a directory",), id="directory"),
    pytest.param(random_binary(), "(top level)", None, ("binary",), id="binary"),
    pytest.param(mutate("  clock: move", "\tclock: move"), "(top level)", "\tclock",
                 ("YAML syntax",), id="yaml-syntax"),
    pytest.param(billion_laughs(), "(top level)", None, ("expands", "alias"),
                 id="billion-laughs"),
    pytest.param(BASE + "horizon: 41\n", "horizon", "horizon: 41", ("appears twice",),
                 id="duplicate-key"),
    pytest.param(mutate("horizon: 40", "horizon: .nan"), "horizon", "horizon", ("NaN",),
                 id="nan"),
    pytest.param(mutate("horizon: 40", "horizon: forty"), "horizon", "horizon",
                 ("valid number",), id="wrong-type"),
    pytest.param(studio_discount("1.5"), "parties.studio.discount", "discount: 1.5",
                 ("less than or equal to 1",), id="out-of-range"),
    pytest.param(mutate("horizon: 40", "horizon: 40\ncolour: blue"), "colour", "colour",
                 ("unknown key",), id="unknown-key"),
    pytest.param(BASE + "coalition:\n  members: [ghost]\n", "coalition.members",
                 "members: [ghost]", ("not a company",), id="broken-reference"),
]


@pytest.mark.parametrize(("content", "location", "marker", "needles"), VALIDATE_CASES)
def test_validate_reports_each_kind_of_problem(
    tmp_path: Path, cli: Cli, content: str | bytes | None, location: str, marker: str | None,
    needles: tuple[str, ...],
) -> None:
    if content is None:
        path = tmp_path / "absent.yaml"
    elif content == "":
        path = tmp_path
    else:
        path = write(tmp_path, content)
    code, out, err = cli("validate", str(path))
    problems = assert_rejected(code, out, err, str(path), needles)
    at = [p for p in problems if p.loc == location]
    assert at, problems
    if marker is not None:
        assert isinstance(content, str)
        assert line_of(content, marker) in [p.line for p in at], problems


def test_empty_file_name(cli: Cli) -> None:
    code, out, err = cli("validate", "")
    assert code == 2 and "Traceback" not in err
    assert "no file name" in err


def test_valid_file_is_ok(cli: Cli) -> None:
    code, out, err = cli("validate", str(FARATIN))
    assert code == 0, err
    assert out.strip() == f"{FARATIN}: ok"
    assert err == ""


def test_mixed_valid_and_invalid_files(tmp_path: Path, cli: Cli) -> None:
    bad = write(tmp_path, mutate("horizon: 40", "horizon: -1"), "bad.yaml")
    missing = tmp_path / "missing.yaml"
    code, out, err = cli("validate", str(FARATIN), str(bad), str(missing))
    assert code == 2
    assert out.strip() == f"{FARATIN}: ok"
    assert "Traceback" not in err
    assert f"{bad}: horizon (line {line_of(BASE, 'horizon: 40')}): " in err
    assert f"{missing}: (top level): no such file" in err
    assert str(FARATIN) not in err


# --------------------------------------------------------- keys of interim agreements
# Interim agreements, the alliance's sanctions and the companion strike's end: each bad
# value is reported with its file, key path and line, exit 2. (shipped file, old text, new
# text, location, the text whose line is reported, needles)
WGA_2007 = ROOT / "scenarios" / "wga_2007.yaml"
WGA_2023 = ROOT / "scenarios" / "wga_2023.yaml"
NEW_KEY_CASES = [
    pytest.param(WGA_2007, "  offered_from: 6 ", "  offered_from: -1 ", "interim.offered_from",
                 "offered_from: -1", ("greater than or equal to 0",), id="offered_from"),
    pytest.param(WGA_2007, "  offered_to: all ", "  offered_to: everyone ",
                 "interim.offered_to", "offered_to: everyone", ("'all' or 'independents'",),
                 id="offered_to-word"),
    pytest.param(WGA_2007, "  offered_to: all ", "  offered_to: [weinstein, ghost] ",
                 "interim.offered_to", "offered_to: [", ("'ghost' is not a company",),
                 id="offered_to-name"),
    pytest.param(WGA_2007, "  terms: current ", "  terms: best ", "interim.terms",
                 "terms: best", ("'current' or 'opening'",), id="terms"),
    pytest.param(WGA_2007, "  boycott_weeks: 0 ", "  boycott_weeks: -2 ",
                 "interim.boycott_weeks", "boycott_weeks: -2", ("greater than or equal to 0",),
                 id="boycott_weeks"),
    pytest.param(WGA_2007, "  sanction_weeks: 13", "  sanction_weeks: lots",
                 "coalition.sanction_weeks", "sanction_weeks: lots", ("valid number",),
                 id="sanction_weeks"),
    pytest.param(WGA_2023, "  correlation: 0.5", "  correlation: 1.5", "talks.correlation",
                 "correlation: 1.5", ("less than or equal to 1",), id="talks-correlation"),
    pytest.param(WGA_2023, "  capacity: null", "  capacity: 0", "talks.capacity",
                 "capacity: 0", ("greater than or equal to 1",), id="talks-capacity"),
    pytest.param(WGA_2023, "  capacity: null", "  capacity: 2.5", "talks.capacity",
                 "capacity: 2.5", ("valid integer",), id="talks-capacity-fraction"),
    pytest.param(WGA_2023, "  priority: largest_loss", "  priority: nobody", "talks.priority",
                 "priority: nobody", ("'nobody' is neither a rule", "largest_loss"),
                 id="talks-priority"),
    pytest.param(WGA_2023, "  on_at_start: false", "  on_at_start: maybe", "talks.on_at_start",
                 "on_at_start: maybe", ("valid boolean",), id="talks-on_at_start"),
    pytest.param(WGA_2023, "    end_week: 27 ", "    after_writers_deal: -6 ",
                 "other_guilds.companion_strike.after_writers_deal", "after_writers_deal: -6",
                 ("greater than or equal to 0",), id="after_writers_deal"),
    pytest.param(WGA_2023, "    end_week: 27 ", "    end_week: 27\n    after_writers_deal: 6 ",
                 "other_guilds.companion_strike", "  companion_strike:",
                 ("exactly one of end_week",), id="both-ends"),
]


@pytest.mark.parametrize(("base", "old", "new", "location", "marker", "needles"),
                         NEW_KEY_CASES)
def test_bad_values_of_the_interim_keys(
    tmp_path: Path, cli: Cli, base: Path, old: str, new: str, location: str, marker: str,
    needles: tuple[str, ...],
) -> None:
    text = mutate(old, new, base.read_text(encoding="utf-8"))
    path = write(tmp_path, text)
    code, out, err = cli("validate", str(path))
    problems = assert_rejected(code, out, err, str(path), needles)
    at = [p for p in problems if p.loc == location]
    assert at, problems
    assert line_of(text, marker) in [p.line for p in at], problems


def test_interim_agreements_need_the_week_clock(tmp_path: Path, cli: Cli) -> None:
    text = BASE + "interim:\n  offered_from: 0\n"
    path = write(tmp_path, text)
    code, out, err = cli("validate", str(path))
    problems = assert_rejected(code, out, err, str(path), ("protocol.clock: week",))
    assert [p.line for p in problems if p.loc == "interim"] == [line_of(text, "interim:")]


def test_a_bad_interim_key_on_the_command_line(cli: Cli) -> None:
    code, out, err = cli("run", str(WGA_2007), "--set", "interim.boycott_weeks=-1")
    problems = assert_rejected(code, out, err, str(WGA_2007), (
        "greater than or equal to 0", "[from --set interim.boycott_weeks]"))
    assert "interim.boycott_weeks" in [p.loc for p in problems], problems


# --------------------------------------------------------------------------- run


def test_run_control(tmp_path: Path, cli: Cli) -> None:
    """The arguments used below are fine on their own: the errors come from the bad part."""
    trace = tmp_path / "trace.csv"
    code, out, err = cli(
        "run", str(FARATIN), "--seed", "5", "--mode", "separate",
        "--set", "parties.union.tactic.beta=1", "--set", "parties.studio.discount=0.9",
        "--set", "parties.union.discount=1e-0", "--json", "--trace", str(trace),
    )
    assert code == 0, err
    assert '"settled": true' in out
    assert trace.stat().st_size > 0


RUN_FILE_CASES = [
    pytest.param("missing", ("no such file",), id="missing-file"),
    pytest.param("directory", ("is a directory",), id="directory"),
    pytest.param("broken", ("YAML syntax",), id="broken-yaml"),
    pytest.param("bad-value", ("parties.studio.discount",), id="bad-value"),
]


@pytest.mark.parametrize(("kind", "needles"), RUN_FILE_CASES)
def test_run_rejects_bad_file(
    tmp_path: Path, cli: Cli, kind: str, needles: tuple[str, ...]
) -> None:
    if kind == "missing":
        path = tmp_path / "absent.yaml"
    elif kind == "directory":
        path = tmp_path
    elif kind == "broken":
        path = write(tmp_path, "horizon: [1, 2\n")
    else:
        path = write(tmp_path, studio_discount("1.5"))
    code, out, err = cli("run", str(path))
    assert_rejected(code, out, err, str(path), needles)


# (--set value, source of the problem line, location, needles)
SET_CASES = [
    pytest.param("horizon", "--set", "horizon", ("KEY.PATH=VALUE",), id="missing-equals"),
    pytest.param("horizon=[1,2]", "--set", "horizon", ("single value",), id="list-value"),
    pytest.param("horizon=abc", "FILE", "horizon", ("valid number", "[from --set horizon]"),
                 id="wrong-type"),
    pytest.param("nope.x=1", "FILE", "nope", ("unknown key", "--set nope.x"),
                 id="unknown-path"),
]


@pytest.mark.parametrize(("override", "source", "location", "needles"), SET_CASES)
def test_run_rejects_bad_set(
    cli: Cli, override: str, source: str, location: str, needles: tuple[str, ...]
) -> None:
    code, out, err = cli("run", str(FARATIN), "--set", override)
    src = str(FARATIN) if source == "FILE" else source
    problems = assert_rejected(code, out, err, src, needles)
    assert location in [p.loc for p in problems], problems


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        pytest.param(("--seed", "-1"), ("--seed", "between 0"), id="seed-negative"),
        pytest.param(("--seed", "1.5"), ("--seed", "whole number"), id="seed-fraction"),
        pytest.param(("--seed", "abc"), ("--seed", "whole number"), id="seed-word"),
        pytest.param(("--seed", str(2**63)), ("--seed", "between 0"), id="seed-too-large"),
        pytest.param(("--seed", ""), ("--seed",), id="seed-empty"),
        pytest.param(("--seed",), ("--seed", "expected one argument"), id="seed-missing"),
        pytest.param(("--mode", "bogus"), ("--mode", "invalid choice"), id="mode-unknown"),
        pytest.param(("--mode", ""), ("--mode", "invalid choice"), id="mode-empty"),
        pytest.param(("--frobnicate",), ("unrecognized arguments",), id="unknown-option"),
    ],
)
def test_run_rejects_bad_arguments(
    cli: Cli, args: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    code, out, err = cli("run", str(FARATIN), *args)
    assert_usage_error(code, out, err, needles)


@pytest.mark.parametrize(
    "args",
    [
        pytest.param((), id="no-command"),
        pytest.param(("frobnicate",), id="unknown-command"),
        pytest.param(("validate",), id="validate-without-files"),
        pytest.param(("run",), id="run-without-file"),
    ],
)
def test_usage_errors(cli: Cli, args: tuple[str, ...]) -> None:
    code, out, err = cli(*args)
    assert_usage_error(code, out, err, ())


@pytest.mark.parametrize(
    "target",
    [
        pytest.param("no/such/trace.csv", id="into-a-missing-directory"),
        pytest.param(".", id="onto-a-directory"),
        pytest.param("plain.txt/trace.csv", id="under-a-regular-file"),
    ],
)
def test_trace_that_cannot_be_written(tmp_path: Path, cli: Cli, target: str) -> None:
    write(tmp_path, "x", "plain.txt")
    path = tmp_path / target if target != "." else tmp_path
    code, out, err = cli("run", str(FARATIN), "--trace", str(path))
    assert_rejected(code, out, err, "--trace", (str(path), "cannot write"))
    assert not (tmp_path / "no").exists()


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_trace_write_failure(cli: Cli) -> None:
    code, out, err = cli("run", str(FARATIN), "--trace", "/dev/full")
    assert code == 2
    assert "/dev/full" in err and "Traceback" not in err


# --------------------------------------------------------------------------- real command


def test_command_valid_file_ok(tmp_path: Path) -> None:
    proc = run_cmd("validate", str(FARATIN), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{FARATIN}: ok"
    assert proc.stderr == ""


def test_command_mixed_files(tmp_path: Path) -> None:
    bad = write(tmp_path, studio_discount("0"), "bad.yaml")
    proc = run_cmd("validate", str(FARATIN), "bad.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout.strip() == f"{FARATIN}: ok"
    problems = problems_of(proc.stderr, "bad.yaml")
    assert [(p.loc, p.line) for p in problems] == [
        ("parties.studio.discount", line_of(BASE, STUDIO_DISCOUNT))]
    assert bad.exists()


COMMAND_CASES = [
    pytest.param(None, ("no such file",), id="missing-file"),
    pytest.param("horizon: [40\nname: x\n", ("YAML syntax", "line"), id="broken-yaml"),
    pytest.param(random_binary(), ("binary",), id="binary"),
    pytest.param(billion_laughs(), ("expands", "alias"), id="billion-laughs"),
    pytest.param(nested_flow(10_000), ("nesting",), id="deep-nesting"),
    pytest.param(BASE + "x: &loop [*loop]\n", ("recursive alias",), id="recursive-alias"),
    pytest.param(mutate("horizon: 40", "horizon: .nan"),
                 (f"horizon (line {line_of(BASE, 'horizon: 40')})", "NaN"), id="nan"),
    pytest.param(BASE + "extra: [" + "1," * 990_000 + "1]\n", ("expands to more than",),
                 id="a-million-values"),
]


@pytest.mark.parametrize(("content", "needles"), COMMAND_CASES)
def test_command_validate_bad_file(
    tmp_path: Path, content: str | bytes | None, needles: tuple[str, ...]
) -> None:
    if content is not None:
        write(tmp_path, content)
    proc = run_cmd("validate", "scenario.yaml", cwd=tmp_path)
    assert_command_rejected(proc, needles)
    problems_of(proc.stderr, "scenario.yaml")


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        pytest.param(("--set", "horizon=[1,2]"), ("--set: horizon", "single value"), id="set-list"),
        pytest.param(("--set", "horizon"), ("--set", "KEY.PATH=VALUE"), id="set-no-equals"),
        pytest.param(
            ("--set", "parties.studio.discount=1.5"),
            (f"parties.studio.discount (line {line_of(BASE, STUDIO_DISCOUNT)})", "[from --set"),
            id="set-range",
        ),
        pytest.param(("--seed", "-1"), ("--seed",), id="seed-negative"),
        pytest.param(("--seed", "1.5"), ("--seed",), id="seed-fraction"),
        pytest.param(("--mode", "bogus"), ("--mode",), id="mode-unknown"),
        pytest.param(
            ("--trace", "no/such/dir/t.csv"), ("--trace", "cannot write"), id="trace-missing-dir"
        ),
    ],
)
def test_command_run_bad_arguments(
    tmp_path: Path, args: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    assert_command_rejected(run_cmd("run", str(FARATIN), *args, cwd=tmp_path), needles)


# ------------------------------------------------------------ keys of issue 14's forms
FORMS = BASE + "industry:\n  shock_weight: 1.5\ncoalition:\n  mutual_aid: lots\n"


def test_validate_reports_bad_values_of_the_smoothing_and_mutual_aid_keys(
    tmp_path: Path, cli: Cli
) -> None:
    """`industry.shock_weight` and `coalition.mutual_aid` are shares in [0, 1]."""
    path = write(tmp_path, FORMS)
    code, out, err = cli("validate", str(path))
    problems = assert_rejected(code, out, err, str(path), ("less than or equal to 1",
                                                           "valid number"))
    at = {p.loc: p.line for p in problems}
    assert at == {"industry.shock_weight": line_of(FORMS, "shock_weight: 1.5"),
                  "coalition.mutual_aid": line_of(FORMS, "mutual_aid: lots")}


@pytest.mark.parametrize(
    ("override", "location", "needles"),
    [
        pytest.param("industry.shock_weight=-0.1", "industry.shock_weight",
                     ("greater than or equal to 0",), id="shock-weight-negative"),
        pytest.param("coalition.mutual_aid=2", "coalition.mutual_aid",
                     ("less than or equal to 1",), id="mutual-aid-above-one"),
    ],
)
def test_run_rejects_bad_smoothing_and_mutual_aid_values(
    tmp_path: Path, cli: Cli, override: str, location: str, needles: tuple[str, ...]
) -> None:
    path = write(tmp_path, BASE + "industry:\n  shock_weight: 0.5\ncoalition:\n"
                 "  mutual_aid: 0.5\n")
    code, out, err = cli("run", str(path), "--set", override)
    problems = assert_rejected(code, out, err, str(path), (*needles, f"[from --set {location}"))
    [problem] = problems
    assert problem.loc == location
    assert problem.line == line_of(path.read_text(), location.split(".")[1] + ": 0.5")

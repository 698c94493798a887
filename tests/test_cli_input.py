"""Bad input to the `bargainsim` command: exit code 2, a clear message, never a traceback.

Every kind of bad input (files, YAML, schema values, cross-field rules, command-line
arguments) is fed to `bargainsim validate` or `bargainsim run`. Most cases call
`bargainsim.cli.main` in-process (fast; an exception escaping `main` fails the test);
a representative subset runs the real command in a subprocess to prove that no
traceback is ever printed. No call may blow up: each is bounded by CPU time (work done,
which a busy machine does not stretch), never by elapsed time.

A problem line has the form `FILE: key.path (line N): plain-language message`.
"""

from __future__ import annotations

import random
import re
import signal
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest

from bargainsim.cli import main
from bargainsim.yamlio import MAX_BYTES, MAX_DEPTH

ROOT = Path(__file__).resolve().parents[1]
FARATIN = ROOT / "scenarios" / "classroom" / "faratin.yaml"
BASE = FARATIN.read_text(encoding="utf-8")

CPU_LIMIT = 30  # CPU seconds a single call may use (2 s at most on an idle machine)
HANG_TIMEOUT = 300  # seconds before a subprocess that does nothing (a hang) is killed
MEMORY_LIMIT = 2 * 1024**3  # bytes of address space for a subprocess reading a device

LINE_RE = re.compile(r"^(?P<loc>\(top level\)|\S+?)(?: \(line (?P<line>\d+)\))?: (?P<msg>.+)$")


# --------------------------------------------------------------------------- helpers


@dataclass(frozen=True)
class Reported:
    """One parsed stderr problem line."""

    loc: str
    line: int | None
    msg: str


def mutate(old: str, new: str, text: str = BASE) -> str:
    """Replace `old` (which must occur) by `new` in the Faratin scenario."""
    assert old in text, f"mutation anchor {old!r} not found: faratin.yaml changed?"
    return text.replace(old, new, 1)


def line_of(text: str, marker: str) -> int:
    """1-based line of the first occurrence of `marker` in `text`."""
    assert marker in text, marker
    return text[: text.index(marker)].count("\n") + 1


def write(tmp_path: Path, content: str | bytes, name: str = "scenario.yaml") -> Path:
    path = tmp_path / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    """Call `main` in-process; return (exit code, stdout, stderr). Exceptions propagate."""
    capsys.readouterr()
    start = time.process_time()
    try:
        code = main(list(args))
    except SystemExit as exc:  # argparse usage errors exit through SystemExit
        code = exc.code if isinstance(exc.code, int) else 1
    used = time.process_time() - start
    out, err = capsys.readouterr()
    assert used < CPU_LIMIT, f"bargainsim {' '.join(args)[:80]} used {used:.1f} s of CPU"
    return code, out, err


def _limits(memory: bool) -> Callable[[], None]:
    """What the child process sets before it starts: a CPU-time cap, and a memory cap."""

    def apply() -> None:  # pragma: no cover - runs in the child process
        import resource

        resource.setrlimit(resource.RLIMIT_CPU, (CPU_LIMIT, CPU_LIMIT + 5))
        if memory:
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))

    return apply


def run_cmd(*args: str, cwd: Path, limit_memory: bool = False) -> subprocess.CompletedProcess[str]:
    """Run the real command (`python -m bargainsim`) in a subprocess, its work bounded.

    The child may use CPU_LIMIT seconds of CPU time (the kernel stops it with SIGXCPU
    after that); HANG_TIMEOUT only stops one that waits forever. With `limit_memory`, its
    address space is capped too, so a regression that reads an endless input fails with
    an error instead of exhausting the machine's memory.
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
        preexec_fn=_limits(limit_memory),
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


# --------------------------------------------------------------------------- documents


def nested_flow(depth: int) -> str:
    return "a: " + "[" * depth + "]" * depth + "\n"


def nested_block(depth: int) -> str:
    return "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "x: 1\n"


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    lines = ["a0: &a0 [" + ", ".join(['"lol"'] * width) + "]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * width) + "]")
    return "\n".join(lines) + "\n"


def deep_alias_chain(links: int = 30, per_link: int = 60) -> str:
    """Each anchor nests the previous one 60 levels deeper: small text, huge depth."""
    lines = ["a0: &a0 " + "[" * per_link + "1" + "]" * per_link]
    for i in range(1, links):
        lines.append(f"a{i}: &a{i} " + "[" * per_link + f"*a{i - 1}" + "]" * per_link)
    return "\n".join(lines) + "\n"


def random_binary() -> bytes:
    rng = random.Random(2023)
    return bytes(rng.randrange(256) for _ in range(4096)) + b"\x00"


# Documents that fail before the schema: (content, location, needles, line marker).
# A line marker is a substring whose line the problem must report (None: no check).
YAML_CASES = [
    pytest.param("", "(top level)", ("empty",), None, id="empty-file"),
    pytest.param("   \n\n\t\n", "(top level)", ("empty",), None, id="whitespace-only"),
    pytest.param(
        "# nothing but a comment\n", "(top level)", ("no YAML document",), None, id="comment-only"
    ),
    pytest.param(random_binary(), "(top level)", ("binary",), None, id="binary-with-nul"),
    pytest.param(
        b"name: caf\xe9 \xff\xfe\x80\nhorizon: 3\n",
        "(top level)",
        ("UTF-8",),
        None,
        id="invalid-utf8-no-nul",
    ),
    pytest.param(
        "name: x\nhorizon: 1\x01\n",
        "(top level)",
        ("control character",),
        "horizon",
        id="control-character",
    ),
    pytest.param(
        mutate("horizon: 40", "horizon: [40, 41"),
        "(top level)",
        ("YAML syntax",),
        None,
        id="unclosed-bracket",
    ),
    pytest.param(
        mutate("  clock: move", "\tclock: move"),
        "(top level)",
        ("YAML syntax",),
        "\tclock",
        id="tab-indentation",
    ),
    pytest.param(
        mutate("  first_mover: union", " first_mover: union"),
        "(top level)",
        ("YAML syntax",),
        None,
        id="bad-indentation",
    ),
    pytest.param(
        mutate("name: faratin", 'name: "faratin'),
        "(top level)",
        ("YAML syntax",),
        None,
        id="unclosed-quote",
    ),
    pytest.param(
        BASE + "---\nname: second\n", "(top level)", ("YAML syntax",), "---", id="two-documents"
    ),
    pytest.param(
        BASE + "x: *nowhere\n",
        "(top level)",
        ("undefined alias",),
        "*nowhere",
        id="undefined-alias",
    ),
    pytest.param(BASE + "? [a, b]\n: 1\n", "(top level)", ("unhashable",), None, id="list-as-key"),
    pytest.param(
        mutate("name: faratin", "name: !!python/object/apply:os.getcwd []"),
        "(top level)",
        ("constructor",),
        "name:",
        id="python-tag",
    ),
    pytest.param(
        mutate("name: faratin", "name: !custom faratin"),
        "(top level)",
        ("constructor",),
        "name:",
        id="unknown-tag",
    ),
    pytest.param(
        mutate("horizon: 40", "horizon: !!float forty"),
        "(top level)",
        ("cannot read",),
        "horizon",
        id="bad-explicit-float",
    ),
    pytest.param(
        mutate("horizon: 40", "horizon: !!bool maybe"),
        "(top level)",
        ("cannot read",),
        "horizon",
        id="bad-explicit-bool",
    ),
    pytest.param(
        mutate("horizon: 40", "horizon: 2023-02-30"),
        "(top level)",
        ("cannot read",),
        "horizon",
        id="impossible-date",
    ),
    pytest.param(
        mutate("horizon: 40", "horizon: " + "9" * 5000),
        "(top level)",
        ("digits", "too large"),
        "horizon",
        id="number-with-5000-digits",
    ),
    pytest.param(
        "- name: faratin\n- horizon: 40\n",
        "(top level)",
        ("mapping", "list"),
        None,
        id="top-level-list",
    ),
    pytest.param(
        "just some words\n", "(top level)", ("mapping", "str"), None, id="top-level-string"
    ),
    pytest.param("~\n", "(top level)", ("mapping", "nothing"), None, id="top-level-null"),
    pytest.param(
        nested_flow(10_000),
        "(top level)",
        ("nesting", str(MAX_DEPTH)),
        None,
        id="nesting-10000-brackets",
    ),
    pytest.param(
        "{" * 10_000 + "}" * 10_000 + "\n",
        "(top level)",
        ("nesting",),
        None,
        id="nesting-10000-braces",
    ),
    pytest.param(
        nested_flow(MAX_DEPTH + 10), "(top level)", ("nesting",), None, id="nesting-just-over-limit"
    ),
    pytest.param(nested_block(200), "(top level)", ("nesting",), None, id="nesting-block-mappings"),
    pytest.param(
        deep_alias_chain(),
        "(top level)",
        ("nesting", "aliases"),
        None,
        id="nesting-through-alias-chain",
    ),
    pytest.param(billion_laughs(), "(top level)", ("expands", "alias"), None, id="billion-laughs"),
    pytest.param(
        BASE + "x: &loop [1, *loop]\n",
        "(top level)",
        ("recursive alias",),
        "x: &loop",
        id="recursive-alias-list",
    ),
    pytest.param(
        BASE + "x: &loop\n  y: *loop\n",
        "(top level)",
        ("recursive alias",),
        "x: &loop",
        id="recursive-alias-mapping",
    ),
    pytest.param(
        BASE + "extra: [" + "1," * 990_000 + "1]\n",
        "(top level)",
        ("expands to more than",),
        None,
        id="a-million-values-under-2MB",
    ),
    pytest.param(
        BASE + "horizon: 41\n",
        "horizon",
        ("appears twice", "line 12"),
        "horizon: 41",
        id="duplicate-key",
    ),
]


@pytest.mark.parametrize(("content", "location", "needles", "marker"), YAML_CASES)
def test_validate_rejects_bad_yaml(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    content: str | bytes,
    location: str,
    needles: tuple[str, ...],
    marker: str | None,
) -> None:
    path = write(tmp_path, content)
    code, out, err = cli(capsys, "validate", str(path))
    problems = assert_rejected(code, out, err, str(path), needles)
    assert location in [p.loc for p in problems], problems
    if marker is not None:
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        assert line_of(text, marker) in [p.line for p in problems], problems


def test_python_tag_is_not_executed(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A python/object tag is refused, not run (it would create the marker file)."""
    marker = tmp_path / "pwned"
    doc = mutate("name: faratin", f"name: !!python/object/apply:os.mkdir [{str(marker)!r}]")
    path = write(tmp_path, doc)
    code, out, err = cli(capsys, "validate", str(path))
    assert_rejected(code, out, err, str(path), ("constructor",))
    assert not marker.exists()


# --------------------------------------------------------------------------- files


def test_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "absent.yaml"
    code, out, err = cli(capsys, "validate", str(path))
    assert_rejected(code, out, err, str(path), ("no such file",))


def test_missing_parent_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = tmp_path / "no" / "such" / "dir" / "absent.yaml"
    code, out, err = cli(capsys, "validate", str(path))
    assert_rejected(code, out, err, str(path), ("no such file",))


def test_path_through_a_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, BASE) / "inner.yaml"
    code, out, err = cli(capsys, "validate", str(path))
    assert_rejected(code, out, err, str(path), ("no such file",))


def test_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "validate", str(tmp_path))
    assert_rejected(code, out, err, str(tmp_path), ("is a directory",))


def test_empty_file_name(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "validate", "")
    assert code == 2 and "Traceback" not in err
    assert "no file name" in err


def test_file_over_the_size_limit(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, BASE + "# padding\n" * (MAX_BYTES // 10 + 1))
    assert path.stat().st_size > MAX_BYTES
    code, out, err = cli(capsys, "validate", str(path))
    assert_rejected(code, out, err, str(path), ("too large", str(MAX_BYTES)))


@pytest.mark.skipif(
    sys.platform != "linux" or not Path("/dev/zero").exists(), reason="needs Linux /dev/zero"
)
def test_endless_device_is_not_read_forever(tmp_path: Path) -> None:
    """A device reports size 0 but never ends: reading must stop at the size limit.

    Run in a memory-capped subprocess: a regression must not eat the machine's memory.
    """
    proc = run_cmd("validate", "/dev/zero", cwd=tmp_path, limit_memory=True)
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    problems = problems_of(proc.stderr, "/dev/zero")
    assert "too large" in problems[0].msg


def test_large_valid_file_is_read_within_the_cpu_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nearly 2 MB but valid (a long description): accepted within the CPU limit."""
    doc = mutate("description: Boulware", "description: " + "x" * 1_900_000 + " Boulware")
    path = write(tmp_path, doc)
    code, out, err = cli(capsys, "validate", str(path))
    assert code == 0, err
    assert out.strip() == f"{path}: ok"


@pytest.mark.parametrize(
    "tail",
    [
        pytest.param("extra:\n" + "- 1\n" * 190_000, id="190k-list-items"),
        pytest.param(
            "extra:\n" + "".join(f"  k{i}: {i}\n" for i in range(90_000)), id="90k-mapping-keys"
        ),
        pytest.param(
            "extra: [" + ", ".join(f"&a{i} 1" for i in range(150_000)) + "]\n", id="150k-anchors"
        ),
    ],
)
def test_large_invalid_file_is_rejected_within_the_cpu_limit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], tail: str
) -> None:
    path = write(tmp_path, BASE + tail)
    assert path.stat().st_size < MAX_BYTES
    code, out, err = cli(capsys, "validate", str(path))
    assert_rejected(code, out, err, str(path), ("expands to more than",))


# --------------------------------------------------------------------------- schema


SCHEMA_CASES = [
    pytest.param("horizon: 40", "horizon: .nan", "horizon", ("NaN",), id="nan"),
    pytest.param("horizon: 40", "horizon: 1e400", "horizon", ("infinity",), id="1e400-is-inf"),
    pytest.param("horizon: 40", "horizon: -.inf", "horizon", ("infinity",), id="minus-inf"),
    pytest.param(
        "opening: {wage: 0}",
        "opening: {wage: .NaN}",
        "parties.studio.opening.wage",
        ("NaN",),
        id="nan-nested",
    ),
    pytest.param(
        "beta: 2.0", "beta: .inf", "parties.studio.tactic.beta", ("infinity",), id="inf-in-tactic"
    ),
    pytest.param(
        "horizon: 40",
        "horizon: 99999999999999999999999",
        "horizon",
        ("less than or equal",),
        id="huge-integer",
    ),
    pytest.param(
        "horizon: 40", "horizon: 1.0e+300", "horizon", ("less than or equal",), id="huge-float"
    ),
    pytest.param(
        "horizon: 40", "horizon: -1", "horizon", ("greater than 0",), id="negative-horizon"
    ),
    pytest.param(
        "horizon: 40", "horizon: forty", "horizon", ("valid number",), id="string-for-number"
    ),
    pytest.param(
        "horizon: 40", "horizon: true", "horizon", ("valid number",), id="bool-for-number"
    ),
    pytest.param(
        "horizon: 40", "horizon: [40]", "horizon", ("valid number",), id="list-for-number"
    ),
    pytest.param(
        "name: faratin", "name: [faratin]", "name", ("valid string",), id="list-for-string"
    ),
    pytest.param(
        "name: faratin", "name: " + "n" * 100, "name", ("at most 64",), id="name-too-long"
    ),
    pytest.param(
        "name: faratin", "name: 'fa ratin!'", "name", ("pattern",), id="name-bad-characters"
    ),
    pytest.param("mode: separate ", "mode: solo ", "mode", ("coalition",), id="unknown-mode"),
    pytest.param(
        "horizon: 40",
        "horizon: 40\ncolour: blue",
        "colour",
        ("unknown key",),
        id="unknown-top-level-key",
    ),
    pytest.param(
        "    discount: 1.0          # no discounting",
        "    discount: 1.0\n    dicsount: 0.5",
        "parties.union.dicsount",
        ("unknown key",),
        id="unknown-nested-key",
    ),
    pytest.param(
        "protocol:\n  clock: move          # a step is one move: an offer or an "
        "acceptance\n  first_mover: union",
        "protocol:\n  - clock\n  - move",
        "protocol",
        ("dictionary",),
        id="list-where-mapping-belongs",
    ),
    pytest.param(
        "parties:\n  union:",
        "parties: [union, studio]\nx:\n  union:",
        "parties",
        ("dictionary",),
        id="parties-as-list",
    ),
    pytest.param(
        "tactic: {kind: time_dependent, beta: 2.0, kappa: 0.0, t_max: 20}",
        "tactic: fast",
        "parties.studio.tactic",
        ("dictionary",),
        id="tactic-as-string",
    ),
    pytest.param(
        "    max: 10\n", "", "issues.wage.max", ("required key is missing",), id="missing-issue-max"
    ),
    pytest.param(
        "    min: 0\n    max: 10",
        "    min: 10\n    max: 10",
        "issues.wage",
        ("min", "below max"),
        id="issue-min-equals-max",
    ),
    pytest.param(
        "    min: 0\n    max: 10",
        "    min: 11\n    max: 10",
        "issues.wage",
        ("min", "below max"),
        id="issue-min-above-max",
    ),
    pytest.param(
        "    discount: 1.0\n    tactic: {kind: time_dependent, beta: 2.0",
        "    discount: 0\n    tactic: {kind: time_dependent, beta: 2.0",
        "parties.studio.discount",
        ("greater than 0",),
        id="discount-0",
    ),
    pytest.param(
        "    discount: 1.0\n    tactic: {kind: time_dependent, beta: 2.0",
        "    discount: 1.5\n    tactic: {kind: time_dependent, beta: 2.0",
        "parties.studio.discount",
        ("less than or equal to 1",),
        id="discount-1.5",
    ),
    pytest.param(
        "    discount: 1.0\n    tactic: {kind: time_dependent, beta: 2.0",
        "    issue_costs: {wage: -5}\n    discount: 1.0\n"
        "    tactic: {kind: time_dependent, beta: 2.0",
        "parties.studio.issue_costs.wage",
        ("greater than or equal to 0",),
        id="negative-issue-cost",
    ),
    pytest.param(
        "    role: company",
        "    role: company\n    revenue_at_risk: -3",
        "parties.studio.revenue_at_risk",
        ("greater than or equal to 0",),
        id="negative-revenue",
    ),
    pytest.param(
        "    role: company",
        "    role: boss",
        "parties.studio",
        ("role must be 'union' or 'company'",),
        id="unknown-role",
    ),
    pytest.param(
        "    role: company\n",
        "",
        "parties.studio",
        ("role must be 'union' or 'company'",),
        id="missing-role",
    ),
    pytest.param(
        "kappa: 0.0, t_max: 20}\n  studio",
        "kappa: 1.0, t_max: 20}\n  studio",
        "parties.union.tactic.kappa",
        ("less than 1",),
        id="kappa-1",
    ),
    pytest.param(
        "tactic: {kind: time_dependent, beta: 0.5, kappa: 0.0, t_max: 20}",
        "tactic: {kind: rubinstein}",
        "parties.union.tactic",
        ("no round limit", "discount below 1"),
        id="rubinstein-without-discounting",
    ),
    pytest.param(
        "horizon: 40",
        "horizon: 40\nindustry: {employer_tactic: {kind: rubinstein}}",
        "industry.employer_tactic",
        ("no round limit", "discount below 1"),
        id="employers-rubinstein-without-discounting",
    ),
    pytest.param(
        "horizon: 40",
        "horizon: 40\ncoalition: {tactic: {kind: rubinstein}}",
        "coalition.tactic",
        ("no round limit", "discount below 1"),
        id="coalition-rubinstein-without-discounting",
    ),
    pytest.param(
        "horizon: 40",
        "horizon: 40\nother_guilds: {companion_strike: {start_week: 5, end_week: 2}}",
        "other_guilds.companion_strike",
        ("end_week",),
        id="strike-ends-before-it-starts",
    ),
]


@pytest.mark.parametrize(("old", "new", "location", "needles"), SCHEMA_CASES)
def test_validate_rejects_bad_values(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    old: str,
    new: str,
    location: str,
    needles: tuple[str, ...],
) -> None:
    """Schema errors name the key path and its line in the file."""
    doc = mutate(old, new)
    path = write(tmp_path, doc)
    code, out, err = cli(capsys, "validate", str(path))
    problems = assert_rejected(code, out, err, str(path), needles)
    hits = [p for p in problems if p.loc == location]
    assert hits, f"no problem at {location!r}: {problems}"
    assert all(p.line is not None for p in hits), problems


# Cross-field (scenario-level) rules: the key path appears in the message.
SEMANTIC_CASES = {
    "opening-outside-issue-bounds": (
        mutate("opening: {wage: 0}", "opening: {wage: 11}"),
        "parties.studio.opening.wage",
        ("outside",),
    ),
    "limit-below-issue-min": (
        mutate("limit: {wage: 4}", "limit: {wage: -1}"),
        "parties.union.limit.wage",
        ("outside",),
    ),
    "opening-unknown-issue": (
        mutate("opening: {wage: 0}", "opening: {pay: 0}"),
        "parties.studio.opening",
        ("unknown issue",),
    ),
    "two-unions": (
        mutate("    role: company", "    role: union"),
        "parties",
        ("exactly one", "union"),
    ),
    "no-company": (
        BASE[: BASE.index("  studio:")],
        "parties",
        ("company",),
    ),
    "coalition-member-is-the-union": (
        BASE + "coalition:\n  members: [union]\n",
        "coalition.members",
        ("not a company",),
    ),
    "coalition-member-unknown": (
        BASE + "coalition:\n  members: [ghost]\n",
        "coalition.members",
        ("not a company",),
    ),
    "coalition-member-twice": (
        BASE + "coalition:\n  members: [studio, studio]\n",
        "coalition.members",
        ("unique",),
    ),
    "coalition-name-is-a-party": (
        BASE + "coalition:\n  name: studio\n",
        "coalition.name",
        ("party",),
    ),
    "pattern-target-unknown": (
        BASE + "pattern: {target: ghost}\n",
        "pattern.target",
        ("neither",),
    ),
    "continuous-clock-without-attrition": (
        mutate("  clock: move", "  clock: continuous"),
        "protocol.clock",
        ("attrition",),
    ),
}


@pytest.mark.parametrize(
    ("doc", "location", "needles"),
    [pytest.param(*case, id=name) for name, case in SEMANTIC_CASES.items()],
)
def test_validate_rejects_semantic_errors(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    doc: str,
    location: str,
    needles: tuple[str, ...],
) -> None:
    path = write(tmp_path, doc)
    code, out, err = cli(capsys, "validate", str(path))
    assert_rejected(code, out, err, str(path), (location, *needles))





@pytest.mark.parametrize(
    ("doc", "location", "needles"),
    [
        pytest.param(*SEMANTIC_CASES[name], id=name)
        for name in (
            "opening-outside-issue-bounds",
            "two-unions",
            "no-company",
            "coalition-member-is-the-union",
        )
    ],
)
def test_semantic_errors_have_key_path_and_line(
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    doc: str,
    location: str,
    needles: tuple[str, ...],
) -> None:
    """Contract: `FILE: key.path (line N): message`, for cross-field rules too."""
    path = write(tmp_path, doc)
    code, out, err = cli(capsys, "validate", str(path))
    problems = assert_rejected(code, out, err, str(path), needles)
    assert any(p.loc == location and p.line is not None for p in problems), problems


def test_unknown_tactic_kind_names_kind(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = write(tmp_path, mutate("kind: time_dependent, beta: 2.0", "kind: wobble, beta: 2.0"))
    code, out, err = cli(capsys, "validate", str(path))
    problems = assert_rejected(code, out, err, str(path), ("kind",))
    assert any(p.loc == "parties.studio.tactic" for p in problems), problems
    assert "role must be" not in err


# --------------------------------------------------------------------------- validate


def test_valid_file_is_ok(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "validate", str(FARATIN))
    assert code == 0, err
    assert out.strip() == f"{FARATIN}: ok"
    assert err == ""


def test_mixed_valid_and_invalid_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    bad = write(tmp_path, mutate("horizon: 40", "horizon: -1"), "bad.yaml")
    missing = tmp_path / "missing.yaml"
    code, out, err = cli(capsys, "validate", str(FARATIN), str(bad), str(missing))
    assert code == 2
    assert out.strip() == f"{FARATIN}: ok"
    assert "Traceback" not in err
    assert f"{bad}: horizon (line 12): " in err
    assert f"{missing}: (top level): no such file" in err
    assert str(FARATIN) not in err


def test_every_truncation_is_handled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Cut the file at every line and in the middle of lines: ok or exit 2, never a crash."""
    cuts = sorted({i for i, ch in enumerate(BASE) if ch == "\n"} | set(range(0, len(BASE), 7)))
    path = tmp_path / "cut.yaml"
    rejected = 0
    for cut in cuts:
        path.write_text(BASE[:cut], encoding="utf-8")
        code, out, err = cli(capsys, "validate", str(path))
        assert code in (0, 2), (cut, err)
        assert "Traceback" not in err
        rejected += code == 2
    assert rejected > len(cuts) // 2


def test_random_byte_damage_is_handled(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Overwrite a few bytes with random ones: ok or exit 2, never a crash."""
    rng = random.Random(7)
    raw = bytearray(BASE.encode("utf-8"))
    path = tmp_path / "damaged.yaml"
    for _ in range(150):
        damaged = bytearray(raw)
        for _ in range(rng.randint(1, 4)):
            damaged[rng.randrange(len(damaged))] = rng.choice(b"[]{}:&*!|>-?#,'\"\t\n 0.9x\xff")
        path.write_bytes(bytes(damaged))
        code, out, err = cli(capsys, "validate", str(path))
        assert code in (0, 2), err
        assert "Traceback" not in err


# --------------------------------------------------------------------------- run


def test_run_control(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The arguments used below are fine on their own: the errors come from the bad part."""
    trace = tmp_path / "trace.csv"
    code, out, err = cli(
        capsys,
        "run",
        str(FARATIN),
        "--seed",
        "5",
        "--mode",
        "separate",
        "--set",
        "parties.union.tactic.beta=1",
        "--set",
        "parties.studio.discount=0.9",
        "--json",
        "--trace",
        str(trace),
    )
    assert code == 0, err
    assert '"settled": true' in out
    assert trace.stat().st_size > 0


def test_exponent_without_a_dot_is_a_number(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`1e-1` is a number (YAML 1.2), in a file and in --set; PyYAML alone reads a string."""
    path = write(
        tmp_path,
        mutate(
            "    discount: 1.0\n    tactic: {kind: time_dependent, beta: 2.0",
            "    discount: 9e-1\n    tactic: {kind: time_dependent, beta: 2.0",
        ),
    )
    code, out, err = cli(capsys, "validate", str(path))
    assert code == 0, err
    code, out, err = cli(
        capsys, "run", str(FARATIN), "--set", "parties.studio.discount=1e-1", "--json"
    )
    assert code == 0, err


RUN_FILE_CASES = [
    pytest.param("missing", ("no such file",), id="missing-file"),
    pytest.param("directory", ("is a directory",), id="directory"),
    pytest.param("broken", ("YAML syntax",), id="broken-yaml"),
    pytest.param("bad-value", ("parties.studio.discount",), id="bad-value"),
]


@pytest.mark.parametrize(("kind", "needles"), RUN_FILE_CASES)
def test_run_rejects_bad_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], kind: str, needles: tuple[str, ...]
) -> None:
    if kind == "missing":
        path = tmp_path / "absent.yaml"
    elif kind == "directory":
        path = tmp_path
    elif kind == "broken":
        path = write(tmp_path, "horizon: [1, 2\n")
    else:
        path = write(
            tmp_path,
            mutate(
                "    discount: 1.0\n    tactic: {kind: time_dependent, beta: 2.0",
                "    discount: 1.5\n    tactic: {kind: time_dependent, beta: 2.0",
            ),
        )
    code, out, err = cli(capsys, "run", str(path))
    assert_rejected(code, out, err, str(path), needles)


# (--set value, source of the problem line, location, needles)
SET_CASES = [
    pytest.param("horizon", "--set", "horizon", ("KEY.PATH=VALUE",), id="missing-equals"),
    pytest.param("=5", "--set", "(top level)", ("empty key",), id="empty-path"),
    pytest.param(
        "parties..discount=1", "--set", "parties..discount", ("empty key",), id="empty-path-segment"
    ),
    pytest.param("horizon=[1,2]", "--set", "horizon", ("single value",), id="list-value"),
    pytest.param("horizon={a: 1}", "--set", "horizon", ("single value",), id="mapping-value"),
    pytest.param("horizon=&a [1]", "--set", "horizon", ("single value",), id="anchor-value"),
    pytest.param("horizon.x=5", "--set", "horizon.x", ("single value",), id="path-through-a-value"),
    pytest.param(
        "parties.studio.discount=.nan", "--set", "parties.studio.discount", ("NaN",), id="nan-value"
    ),
    pytest.param("horizon=1e400", "--set", "horizon", ("infinity",), id="inf-value"),
    pytest.param("horizon=" + "9" * 5000, "--set", "horizon", ("digits",), id="5000-digit-value"),
    pytest.param(
        "horizon=" + "[" * 10_000 + "]" * 10_000,
        "--set",
        "horizon",
        ("nesting",),
        id="deeply-nested-value",
    ),
    pytest.param(
        "horizon=!!python/object/apply:os.getcwd []",
        "--set",
        "horizon",
        ("constructor",),
        id="python-tag-value",
    ),
    pytest.param(
        "horizon=abc", "FILE", "horizon", ("valid number", "[from --set horizon]"), id="wrong-type"
    ),
    pytest.param(
        "parties.studio.discount=0",
        "FILE",
        "parties.studio.discount",
        ("greater than 0", "[from --set"),
        id="discount-0",
    ),
    pytest.param(
        "parties.studio.discount=1.5",
        "FILE",
        "parties.studio.discount",
        ("less than or equal to 1", "[from --set"),
        id="discount-1.5",
    ),
    pytest.param(
        "parties.union.dicsount=0.5",
        "FILE",
        "parties.union.dicsount",
        ("unknown key", "[from --set"),
        id="unknown-nested-path",
    ),
    pytest.param("nope.x=1", "FILE", "nope", ("unknown key",), id="unknown-top-level-path"),
    pytest.param("issues=5", "FILE", "issues", ("dictionary",), id="scalar-for-mapping"),
]


@pytest.mark.parametrize(("override", "source", "location", "needles"), SET_CASES)
def test_run_rejects_bad_set(
    capsys: pytest.CaptureFixture[str],
    override: str,
    source: str,
    location: str,
    needles: tuple[str, ...],
) -> None:
    code, out, err = cli(capsys, "run", str(FARATIN), "--set", override)
    src = str(FARATIN) if source == "FILE" else source
    problems = assert_rejected(code, out, err, src, needles)
    assert location in [p.loc for p in problems], problems


def test_unknown_set_path_mentions_set(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", str(FARATIN), "--set", "nope.x=1")
    assert_rejected(code, out, err, str(FARATIN), ("unknown key", "--set nope.x"))


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
    capsys: pytest.CaptureFixture[str], args: tuple[str, ...], needles: tuple[str, ...]
) -> None:
    code, out, err = cli(capsys, "run", str(FARATIN), *args)
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
def test_usage_errors(capsys: pytest.CaptureFixture[str], args: tuple[str, ...]) -> None:
    code, out, err = cli(capsys, *args)
    assert_usage_error(code, out, err, ())


def test_trace_into_missing_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = tmp_path / "no" / "such" / "trace.csv"
    code, out, err = cli(capsys, "run", str(FARATIN), "--trace", str(target))
    assert_rejected(code, out, err, "--trace", (str(target), "cannot write"))
    assert not target.parent.exists()


def test_trace_onto_a_directory(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", str(FARATIN), "--trace", str(tmp_path))
    assert_rejected(code, out, err, "--trace", (str(tmp_path), "cannot write"))


def test_trace_under_a_regular_file(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    target = write(tmp_path, "x", "plain.txt") / "trace.csv"
    code, out, err = cli(capsys, "run", str(FARATIN), "--trace", str(target))
    assert_rejected(code, out, err, "--trace", (str(target), "cannot write"))


@pytest.mark.skipif(not Path("/dev/full").exists(), reason="needs /dev/full")
def test_trace_write_failure(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = cli(capsys, "run", str(FARATIN), "--trace", "/dev/full")
    assert code == 2
    assert "/dev/full" in err and "Traceback" not in err


# --------------------------------------------------------------------------- real command


def test_command_valid_file_ok(tmp_path: Path) -> None:
    proc = run_cmd("validate", str(FARATIN), cwd=tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == f"{FARATIN}: ok"
    assert proc.stderr == ""


def test_command_mixed_files(tmp_path: Path) -> None:
    bad = write(
        tmp_path,
        mutate(
            "    discount: 1.0\n    tactic: {kind: time_dependent, beta: 2.0",
            "    discount: 0\n    tactic: {kind: time_dependent, beta: 2.0",
        ),
        "bad.yaml",
    )
    proc = run_cmd("validate", str(FARATIN), "bad.yaml", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stdout.strip() == f"{FARATIN}: ok"
    problems = problems_of(proc.stderr, "bad.yaml")
    assert [(p.loc, p.line) for p in problems] == [("parties.studio.discount", 34)]
    assert bad.exists()


COMMAND_CASES = [
    pytest.param(None, ("no such file",), id="missing-file"),
    pytest.param("horizon: [40\nname: x\n", ("YAML syntax", "line"), id="broken-yaml"),
    pytest.param(random_binary(), ("binary",), id="binary"),
    pytest.param(billion_laughs(), ("expands", "alias"), id="billion-laughs"),
    pytest.param(nested_flow(10_000), ("nesting",), id="deep-nesting"),
    pytest.param(BASE + "x: &loop [*loop]\n", ("recursive alias",), id="recursive-alias"),
    pytest.param(mutate("horizon: 40", "horizon: .nan"), ("horizon (line 12)", "NaN"), id="nan"),
    pytest.param(
        BASE + "extra: [" + "1," * 990_000 + "1]\n",
        ("expands to more than",),
        id="a-million-values",
    ),
]


@pytest.mark.parametrize(("content", "needles"), COMMAND_CASES)
def test_command_validate_bad_file(
    tmp_path: Path, content: str | bytes | None, needles: tuple[str, ...]
) -> None:
    if content is not None:
        write(tmp_path, content)
    proc = run_cmd("validate", "scenario.yaml", cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    for needle in needles:
        assert needle.lower() in proc.stderr.lower(), proc.stderr
    problems_of(proc.stderr, "scenario.yaml")


@pytest.mark.parametrize(
    ("args", "needles"),
    [
        pytest.param(("--set", "horizon=[1,2]"), ("--set: horizon", "single value"), id="set-list"),
        pytest.param(("--set", "horizon"), ("--set", "KEY.PATH=VALUE"), id="set-no-equals"),
        pytest.param(
            ("--set", "parties.studio.discount=1.5"),
            ("parties.studio.discount (line 34)", "[from --set"),
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
    proc = run_cmd("run", str(FARATIN), *args, cwd=tmp_path)
    assert proc.returncode == 2, proc.stderr
    assert "Traceback" not in proc.stderr
    assert proc.stdout == ""
    for needle in needles:
        assert needle.lower() in proc.stderr.lower(), proc.stderr

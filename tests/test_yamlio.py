"""The safe YAML reader (`bargainsim.yamlio`): every broken or hostile file is an InputError.

Each failure names the file, where in it (a key path, or the top level) and, where one
can be told, the line; no document may make the reader blow up, so every read is bounded
by CPU time (`cpu_limit`), never by elapsed time. The scenario schema's own rules are in
tests/test_scenario.py; the command's exit codes and messages in tests/test_cli_input.py.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from bargainsim.errors import InputError
from bargainsim.yamlio import MAX_BYTES, MAX_DEPTH, parse_scalar, parse_yaml_text, read_yaml_file
from documents import (
    BASE,
    assert_names,
    billion_laughs,
    deep_alias_chain,
    input_error,
    line_of,
    mutate,
    nested_block,
    nested_flow,
    random_binary,
    write,
)
from limits import CPU_LIMIT, CpuLimit, child_limits

MEMORY_LIMIT = 2 * 1024**3  # bytes of address space for a child process reading a device


def rejected(path: str | Path, cpu_limit: CpuLimit) -> InputError:
    """The InputError that reading `path` raises, within the CPU limit."""
    error = input_error(lambda: read_yaml_file(path), cpu_limit)
    assert error.source == str(path)
    return error


# --------------------------------------------------------------------------- documents

# Documents that fail in the reader: (content, location, needles, line marker). The
# location is the problem's key path ("" for the top level); a line marker is a
# substring whose line the problem must report (None: no check).
YAML_CASES = [
    pytest.param("", "", ("empty",), None, id="empty-file"),
    pytest.param("   \n\n\t\n", "", ("empty",), None, id="whitespace-only"),
    pytest.param("# nothing but a comment\n", "", ("no YAML document",), None, id="comment-only"),
    pytest.param(random_binary(), "", ("binary",), None, id="binary-with-nul"),
    pytest.param("name: a\n".encode("utf-16"), "", ("binary",), None, id="utf-16"),
    pytest.param(b"name: caf\xe9 \xff\xfe\x80\nhorizon: 3\n", "", ("UTF-8", "offset 9"), None,
                 id="invalid-utf8-no-nul"),
    pytest.param("name: x\nhorizon: 1\x01\n", "", ("control character",), "horizon",
                 id="control-character"),
    pytest.param(mutate("horizon: 40", "horizon: [40, 41"), "", ("YAML syntax",), None,
                 id="unclosed-bracket"),
    pytest.param(mutate("  clock: move", "\tclock: move"), "", ("YAML syntax",), "\tclock",
                 id="tab-indentation"),
    pytest.param(mutate("  first_mover: union", " first_mover: union"), "", ("YAML syntax",),
                 None, id="bad-indentation"),
    pytest.param(mutate("name: faratin", 'name: "faratin'), "", ("YAML syntax",), None,
                 id="unclosed-quote"),
    pytest.param(BASE + "---\nname: second\n", "", ("YAML syntax",), "---", id="two-documents"),
    pytest.param(BASE + "x: *nowhere\n", "", ("undefined alias",), "*nowhere",
                 id="undefined-alias"),
    pytest.param(BASE + "? [a, b]\n: 1\n", "", ("unhashable",), None, id="list-as-key"),
    pytest.param(mutate("name: faratin", "name: !!python/object/apply:os.getcwd []"), "",
                 ("constructor",), "name:", id="python-tag"),
    pytest.param(mutate("name: faratin", "name: !custom faratin"), "", ("constructor",),
                 "name:", id="unknown-tag"),
    pytest.param(mutate("horizon: 40", "horizon: !!float forty"), "", ("cannot read",),
                 "horizon", id="bad-explicit-float"),
    pytest.param(mutate("horizon: 40", "horizon: !!bool maybe"), "", ("cannot read",),
                 "horizon", id="bad-explicit-bool"),
    pytest.param(mutate("horizon: 40", "horizon: 2023-02-30"), "", ("cannot read",), "horizon",
                 id="impossible-date"),
    pytest.param(mutate("horizon: 40", "horizon: " + "9" * 5000), "", ("digits", "too large"),
                 "horizon", id="number-with-5000-digits"),
    pytest.param("- name: faratin\n- horizon: 40\n", "", ("mapping", "list"), None,
                 id="top-level-list"),
    pytest.param("just some words\n", "", ("mapping", "str"), None, id="top-level-string"),
    pytest.param("~\n", "", ("mapping", "nothing"), None, id="top-level-null"),
    pytest.param(nested_flow(10_000), "", ("nesting", str(MAX_DEPTH)), None,
                 id="nesting-10000-brackets"),
    pytest.param("{" * 10_000 + "}" * 10_000 + "\n", "", ("nesting",), None,
                 id="nesting-10000-braces"),
    pytest.param(nested_flow(MAX_DEPTH + 10), "", ("nesting",), None,
                 id="nesting-just-over-limit"),
    pytest.param(nested_block(200), "", ("nesting",), None, id="nesting-block-mappings"),
    pytest.param(deep_alias_chain(), "", ("nesting", "aliases"), None,
                 id="nesting-through-alias-chain"),
    pytest.param(billion_laughs(), "", ("expands", "alias"), None, id="billion-laughs"),
    pytest.param(BASE + "x: &loop [1, *loop]\n", "", ("recursive alias",), "x: &loop",
                 id="recursive-alias-list"),
    pytest.param(BASE + "x: &loop\n  y: *loop\n", "", ("recursive alias",), "x: &loop",
                 id="recursive-alias-mapping"),
    pytest.param(BASE + "extra: [" + "1," * 990_000 + "1]\n", "", ("expands to more than",),
                 None, id="a-million-values-under-2MB"),
    pytest.param(BASE + "horizon: 41\n", "horizon",
                 ("appears twice", f"first on line {line_of(BASE, 'horizon: 40')}"),
                 "horizon: 41", id="duplicate-key"),
    pytest.param("a:\n  b: 1\n  b: 2\n", "a.b", ("key 'b' appears twice", "first on line 2"),
                 "b: 2", id="duplicate-nested-key"),
    pytest.param("c: {d: 1, d: 2}\n", "c.d", ("appears twice",), "c:", id="duplicate-flow-key"),
    # NaN and infinity: refused at their key path, whatever the schema says of the key
    pytest.param(mutate("horizon: 40", "horizon: .nan"), "horizon", ("NaN",), "horizon",
                 id="nan"),
    pytest.param(mutate("horizon: 40", "horizon: 1e400"), "horizon", ("infinity",), "horizon",
                 id="1e400-is-inf"),
    pytest.param(mutate("horizon: 40", "horizon: -.inf"), "horizon", ("infinity",), "horizon",
                 id="minus-inf"),
    pytest.param(mutate("opening: {wage: 0}", "opening: {wage: .NaN}"),
                 "parties.studio.opening.wage", ("NaN",), "opening: {wage: .NaN}",
                 id="nan-nested"),
    pytest.param(mutate("beta: 2.0", "beta: .inf"), "parties.studio.tactic.beta",
                 ("infinity",), "beta: .inf", id="inf-in-tactic"),
    pytest.param("b: [1, .nan]\n", "b.1", ("NaN",), "b:", id="nan-in-a-list"),
]


@pytest.mark.parametrize(("content", "location", "needles", "marker"), YAML_CASES)
def test_reader_rejects_bad_yaml(
    tmp_path: Path,
    cpu_limit: CpuLimit,
    content: str | bytes,
    location: str,
    needles: tuple[str, ...],
    marker: str | None,
) -> None:
    error = rejected(write(tmp_path, content), cpu_limit)
    assert_names(error, needles)
    assert location in [p.location for p in error.problems], error.problems
    if marker is not None:
        text = content.decode("utf-8") if isinstance(content, bytes) else content
        assert line_of(text, marker) in [p.line for p in error.problems], error.problems


def test_every_repeated_key_is_reported_with_its_first_line(cpu_limit: CpuLimit) -> None:
    with cpu_limit(CPU_LIMIT), pytest.raises(InputError) as caught:
        parse_yaml_text("a: 1\nb: 0\na: 2\na: 3\n", "doc.yaml")
    assert str(caught.value).splitlines() == [
        "doc.yaml: a (line 3): key 'a' appears twice (first on line 1)",
        "doc.yaml: a (line 4): key 'a' appears twice (first on line 1)",
    ]


def test_python_tag_is_not_executed(tmp_path: Path, cpu_limit: CpuLimit) -> None:
    """A python/object tag is refused, not run (it would create the marker file)."""
    marker = tmp_path / "pwned"
    doc = mutate("name: faratin", f"name: !!python/object/apply:os.mkdir [{str(marker)!r}]")
    assert_names(rejected(write(tmp_path, doc), cpu_limit), ("constructor",))
    assert not marker.exists()


# --------------------------------------------------------------------------- what it accepts


@pytest.mark.parametrize(
    ("text", "data"),
    [
        pytest.param("\ufeffname: a\nhorizon: 3\n", {"name": "a", "horizon": 3},
                     id="byte-order-mark"),
        pytest.param("description: café ünïcödé 🎬\n", {"description": "café ünïcödé 🎬"},
                     id="non-ascii-utf8"),
        pytest.param("base: &b {x: 1, y: 2}\nother:\n  <<: *b\n  y: 3\n",
                     {"base": {"x": 1, "y": 2}, "other": {"x": 1, "y": 3}},
                     id="merge-key-is-no-duplicate"),
        pytest.param("a: &x 1\nb: *x\n", {"a": 1, "b": 1}, id="alias"),
        # YAML 1.2 exponents: PyYAML alone (YAML 1.1) reads `9e-1` and `1e9` as strings
        pytest.param("a: 9e-1\nb: 1e9\nc: 1.5E+2\n", {"a": 0.9, "b": 1e9, "c": 150.0},
                     id="exponent-without-a-dot"),
    ],
)
def test_reader_accepts(tmp_path: Path, text: str, data: dict[str, Any]) -> None:
    doc = read_yaml_file(write(tmp_path, text))
    assert doc.data == data
    assert all(type(doc.data[k]) is type(v) for k, v in data.items())


def test_lines_of_key_paths() -> None:
    """Every key and list item has its 1-based line; CRLF line ends count once."""
    text = "name: a\r\nhorizon: 3\r\nb:\r\n  - c: 1\r\n  - d: 2\r\ne:\r\n  f: {g: 1}\r\n"
    doc = parse_yaml_text(text, "doc.yaml")
    assert doc.lines == {
        ("name",): 1, ("horizon",): 2, ("b",): 3, ("b", 0): 4, ("b", 0, "c"): 4,
        ("b", 1): 5, ("b", 1, "d"): 5, ("e",): 6, ("e", "f"): 7, ("e", "f", "g"): 7,
    }
    # a path the file does not have takes the line of its deepest known prefix
    assert doc.line_of(("e", "f", "h", "i")) == 7
    assert doc.line_of(("b", 1, "x")) == 5
    assert doc.line_of(("nowhere",)) is None
    assert doc.line_of(()) is None


# --------------------------------------------------------------------------- files


@pytest.mark.parametrize(
    ("where", "needle"),
    [
        pytest.param("absent.yaml", "no such file", id="missing-file"),
        pytest.param("no/such/dir/absent.yaml", "no such file", id="missing-parent-directory"),
        pytest.param("scenario.yaml/inner.yaml", "no such file", id="path-through-a-file"),
        pytest.param(".", "is a directory", id="directory"),
    ],
)
def test_unreadable_paths(tmp_path: Path, cpu_limit: CpuLimit, where: str, needle: str) -> None:
    write(tmp_path, BASE)
    path = tmp_path / where if where != "." else tmp_path
    error = rejected(path, cpu_limit)
    assert [(p.location, p.line) for p in error.problems] == [("", None)]
    assert_names(error, (needle,))


def test_empty_file_name() -> None:
    with pytest.raises(InputError) as caught:
        read_yaml_file("")
    assert str(caught.value) == "'': (top level): no file name given"


def test_file_over_the_size_limit(tmp_path: Path, cpu_limit: CpuLimit) -> None:
    path = write(tmp_path, BASE + "# padding\n" * (MAX_BYTES // 10 + 1))
    assert path.stat().st_size > MAX_BYTES
    assert_names(rejected(path, cpu_limit), ("too large", str(MAX_BYTES)))


@pytest.mark.skipif(
    sys.platform != "linux" or not Path("/dev/zero").exists(), reason="needs Linux /dev/zero"
)
def test_endless_device_is_not_read_forever() -> None:
    """A device reports size 0 but never ends: reading must stop at the size limit.

    Read in a child process whose memory and CPU time are capped: a regression must not
    eat the machine's memory; the timeout only stops a child that hangs.
    """
    code = (
        "from bargainsim.errors import InputError\n"
        "from bargainsim.yamlio import read_yaml_file\n"
        "try:\n"
        "    read_yaml_file('/dev/zero')\n"
        "except InputError as exc:\n"
        "    print(exc)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                          timeout=300, stdin=subprocess.DEVNULL,
                          preexec_fn=child_limits(memory=MEMORY_LIMIT))
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.startswith("/dev/zero: (top level): the file is too large"), proc.stdout


def test_large_valid_file_is_read_within_the_cpu_limit(
    tmp_path: Path, cpu_limit: CpuLimit
) -> None:
    """Nearly 2 MB but valid (a long description): read in full."""
    doc = mutate("description: Boulware", "description: " + "x" * 1_900_000 + " Boulware")
    path = write(tmp_path, doc)
    with cpu_limit(CPU_LIMIT):
        data = read_yaml_file(path).data
    assert data["description"].startswith("x" * 1_900_000 + " Boulware")
    assert data["horizon"] == 40


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
    tmp_path: Path, cpu_limit: CpuLimit, tail: str
) -> None:
    path = write(tmp_path, BASE + tail)
    assert path.stat().st_size < MAX_BYTES
    assert_names(rejected(path, cpu_limit), ("expands to more than",))


def test_cpu_limit_stops_a_runaway_block(cpu_limit: CpuLimit) -> None:
    """The guard the tests above rely on: a block past its CPU time fails the test."""
    with pytest.raises(pytest.fail.Exception, match="more than 0.2 s of CPU time"):
        with cpu_limit(0.2):
            while True:
                pass


# --------------------------------------------------------------------------- --set values


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("0.5", 0.5), ("1e-1", 0.1), ("40", 40), ("true", True), ("null", None), ("", None),
        ("hardest_line", "hardest_line"), ("'quoted'", "quoted"), ("a b", "a b"),
        ("[", "["),  # not valid YAML: the word as it is
    ],
)
def test_parse_scalar_reads_one_value(text: str, value: object) -> None:
    got = parse_scalar(text)
    assert got == value and type(got) is type(value)


@pytest.mark.parametrize(
    ("text", "needle"),
    [
        ("[1,2]", "single value"), ("{a: 1}", "single value"), ("&a [1]", "single value"),
        ("- a", "single value"), ("a: b", "single value"), (".nan", "NaN"),
        ("1e400", "infinity"), ("9" * 5000, "5000 digits"),
        ("[" * 10_000 + "]" * 10_000, "nesting"),
        ("!!python/object/apply:os.getcwd []", "constructor"),
    ],
    ids=lambda v: v[:30] if isinstance(v, str) else None,
)
def test_parse_scalar_refuses(cpu_limit: CpuLimit, text: str, needle: str) -> None:
    with cpu_limit(CPU_LIMIT), pytest.raises(ValueError, match=needle):
        parse_scalar(text)

"""Safe YAML reading: size, depth and alias-expansion limits, and key-path line numbers.

Scenario and experiment files come from users; a hostile or broken file must give a
clear message, never a traceback or a hang (billion-laughs aliases, deep nesting,
recursive aliases, megabytes of tiny values, numbers with thousands of digits).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import ConstructorError

from bargainsim.errors import InputError, Problem

MAX_BYTES = 2_000_000
MAX_NODES = 50_000
MAX_DEPTH = 64
MAX_NUMBER_CHARS = 400

Path_ = tuple[str | int, ...]


@dataclass
class YamlDocument:
    """A parsed YAML mapping with the line of every key path (1-based), for error messages."""

    data: dict[str, Any]
    lines: dict[Path_, int] = field(default_factory=dict)

    def line_of(self, path: Path_) -> int | None:
        """Line of the deepest known prefix of `path`."""
        for cut in range(len(path), 0, -1):
            if path[:cut] in self.lines:
                return self.lines[path[:cut]]
        return None


def _clip(text: str, limit: int = 160) -> str:
    """Shorten a message quoting the input (a 2 MB tag name must not become a 2 MB line)."""
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 3] + "..."


def _too_many_nodes() -> str:
    return (
        f"the document expands to more than {MAX_NODES} values (aliases included); "
        "is it the right file, or is an alias repeated on purpose?"
    )


def _too_deep() -> str:
    return f"nesting deeper than {MAX_DEPTH} levels is not allowed"


class _Limit(Exception):
    """A limit was hit while composing; carries the message and the 1-based line."""

    def __init__(self, message: str, line: int | None):
        super().__init__(message)
        self.message = message
        self.line = line


class _LimitedLoader(yaml.SafeLoader):
    """SafeLoader that stops early on too many or too deeply nested nodes.

    Composition is counted as it happens, so a 2 MB file of tiny values is rejected
    after MAX_NODES nodes instead of being built in full, and deep nesting is refused
    before Python's recursion limit is reached. The composed graph is checked again
    (aliases expanded) by `_check_graph` before any object is built.
    """

    def __init__(self, stream: str):
        super().__init__(stream)
        self._composed = 0
        self._depth = 0

    def compose_node(self, parent: yaml.Node | None, index: Any) -> yaml.Node:  # type: ignore[override]
        """Compose one node, enforcing the node-count and depth limits."""
        self._composed += 1
        self._depth += 1
        try:
            if self._composed > MAX_NODES or self._depth > MAX_DEPTH + 1:
                mark = self.peek_event().start_mark
                line = mark.line + 1 if mark is not None else None
                raise _Limit(_too_many_nodes() if self._composed > MAX_NODES else _too_deep(), line)
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1

    def construct_object(self, node: yaml.Node, deep: bool = False) -> Any:
        """Build one value; a value Python cannot build becomes a marked YAML error."""
        try:
            return super().construct_object(node, deep=deep)
        except yaml.YAMLError:
            raise
        except (ValueError, TypeError, KeyError, AttributeError, OverflowError):
            shown = node.value if isinstance(node, yaml.ScalarNode) else node.tag
            if isinstance(shown, str) and len(shown) > 40:
                shown = shown[:37] + "..."
            raise ConstructorError(
                None,
                None,
                f"cannot read {shown!r} as {node.tag.rsplit(':', 1)[-1]}",
                node.start_mark,
            ) from None

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        """An integer, refusing numbers with hundreds of digits."""
        if len(node.value) > MAX_NUMBER_CHARS:
            raise ConstructorError(
                None,
                None,
                f"a number with {len(node.value)} digits is too large",
                node.start_mark,
            )
        return super().construct_yaml_int(node)


_LimitedLoader.add_constructor("tag:yaml.org,2002:int", _LimitedLoader.construct_yaml_int)
# YAML 1.2 floats: PyYAML (YAML 1.1) reads `1e9` or `1e-3` as strings, not numbers.
_LimitedLoader.add_implicit_resolver(
    "tag:yaml.org,2002:float",
    re.compile(r"^[-+]?(?:[0-9][0-9_]*)(?:\.[0-9_]*)?[eE][-+]?[0-9]+$"),
    list("-+0123456789"),
)


def _check_graph(node: yaml.Node, source: str) -> None:
    """Reject graphs that expand to too many nodes, nest too deeply or contain themselves.

    Sizes and depths are those of the document with every alias expanded, computed
    once per node (so a billion-laughs document is measured, never expanded).
    """
    sizes: dict[int, tuple[int, int]] = {}
    open_nodes: set[int] = set()

    def fail(message: str, n: yaml.Node) -> InputError:
        line = n.start_mark.line + 1 if n.start_mark is not None else None
        return InputError(source, [Problem("", message, line)])

    def visit(n: yaml.Node, depth: int) -> tuple[int, int]:
        key = id(n)
        if key in open_nodes:
            raise fail("an alias refers to a block that contains it (a recursive alias)", n)
        if key in sizes:
            size, height = sizes[key]
            if depth + height - 1 > MAX_DEPTH:
                raise fail(_too_deep() + " (aliases expanded)", n)
            return size, height
        if depth > MAX_DEPTH:
            raise fail(_too_deep(), n)
        if isinstance(n, yaml.MappingNode):
            children = [c for pair in n.value for c in pair]
        elif isinstance(n, yaml.SequenceNode):
            children = list(n.value)
        else:
            children = []
        open_nodes.add(key)
        total, deepest = 1, 0
        for child in children:
            size, height = visit(child, depth + 1)
            total += size
            deepest = max(deepest, height)
            if total > MAX_NODES:
                raise fail(_too_many_nodes(), n)
        open_nodes.discard(key)
        sizes[key] = (total, deepest + 1)
        return sizes[key]

    visit(node, 0)


def _check_duplicate_keys(node: yaml.Node, source: str) -> None:
    """Reject a mapping that repeats a key: YAML forbids it and PyYAML keeps the last one."""
    problems: list[Problem] = []
    seen_nodes: set[int] = set()
    stack: list[tuple[yaml.Node, Path_]] = [(node, ())]
    while stack:
        n, path = stack.pop()
        if id(n) in seen_nodes:
            continue
        seen_nodes.add(id(n))
        if isinstance(n, yaml.MappingNode):
            first: dict[tuple[str, str], int] = {}
            for key_node, value_node in n.value:
                if not isinstance(key_node, yaml.ScalarNode):
                    stack.append((value_node, path))
                    continue
                sub: Path_ = (*path, key_node.value)
                stack.append((value_node, sub))
                ident = (key_node.tag, key_node.value)
                line = key_node.start_mark.line + 1
                if key_node.tag == "tag:yaml.org,2002:merge":
                    continue
                if ident not in first:
                    first[ident] = line
                    continue
                where = _clip(".".join(str(p) for p in sub))
                message = f"key {_clip(repr(key_node.value), 60)} appears twice"
                problems.append(Problem(where, f"{message} (first on line {first[ident]})", line))
        elif isinstance(n, yaml.SequenceNode):
            stack.extend((item, (*path, i)) for i, item in enumerate(n.value))
    if problems:
        problems.sort(key=lambda p: p.line or 0)
        raise InputError(source, problems)


def _collect_lines(node: yaml.Node, path: Path_, out: dict[Path_, int]) -> None:
    if isinstance(node, yaml.MappingNode):
        for key_node, value_node in node.value:
            if isinstance(key_node, yaml.ScalarNode):
                sub = (*path, key_node.value)
                out.setdefault(sub, key_node.start_mark.line + 1)
                _collect_lines(value_node, sub, out)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            sub = (*path, i)
            out.setdefault(sub, item.start_mark.line + 1)
            _collect_lines(item, sub, out)


def _load_node(text: str, source: str) -> tuple[yaml.Node | None, Any]:
    """Compose and check the YAML graph, then build the Python value."""
    loader = _LimitedLoader(text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None
        _check_graph(node, source)
        _check_duplicate_keys(node, source)
        return node, loader.construct_document(node)
    finally:
        loader.dispose()


def parse_yaml_text(text: str, source: str) -> YamlDocument:
    """Parse YAML text into a mapping, turning every failure into an InputError."""
    if not text.strip():
        raise InputError(source, [Problem("", "the file is empty; expected a YAML mapping")])
    try:
        node, data = _load_node(text, source)
    except InputError:
        raise
    except _Limit as exc:
        raise InputError(source, [Problem("", exc.message, exc.line)]) from None
    except ConstructorError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = _clip(exc.problem or exc.context or "unreadable value")
        raise InputError(source, [Problem("", f"YAML value error: {what}", line)]) from None
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = _clip(exc.problem or exc.context or "invalid YAML")
        raise InputError(source, [Problem("", f"YAML syntax error: {what}", line)]) from None
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        code = exc.character if isinstance(exc.character, int) else ord(str(exc.character)[:1])
        what = f"control character #x{code:04x} is not allowed in YAML text"
        raise InputError(source, [Problem("", what, line)]) from None
    except yaml.YAMLError as exc:
        what = _clip(str(exc))
        raise InputError(source, [Problem("", f"YAML error: {what}")]) from None
    except RecursionError:
        raise InputError(source, [Problem("", "nesting too deep to read")]) from None
    if node is None:
        raise InputError(source, [Problem("", "the file holds no YAML document")])
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        raise InputError(
            source, [Problem("", f"expected a mapping of keys to values at the top, found {kind}")]
        )
    lines: dict[Path_, int] = {}
    _collect_lines(node, (), lines)
    doc = YamlDocument(data=data, lines=lines)
    bad = _find_non_finite(data)
    if bad is not None:
        where = ".".join(str(p) for p in bad) or "(value)"
        raise InputError(
            source, [Problem(where, "NaN and infinity are not allowed", doc.line_of(bad))]
        )
    return doc


def _find_non_finite(value: Any, path: Path_ = ()) -> Path_ | None:
    """Path of the first NaN or infinite float (depth is bounded by `_check_graph`)."""
    if isinstance(value, float) and not math.isfinite(value):
        return path
    if isinstance(value, dict):
        for k, v in value.items():
            found = _find_non_finite(v, (*path, k if isinstance(k, str) else str(k)))
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found = _find_non_finite(v, (*path, i))
            if found is not None:
                return found
    return None


def read_yaml_file(path: str | Path) -> YamlDocument:
    """Read a YAML mapping from a file with every failure reported as an InputError."""
    source = str(path)
    if not source:
        raise InputError("''", [Problem("", "no file name given")])
    p = Path(path)
    try:
        if p.is_dir():
            raise InputError(source, [Problem("", "is a directory, not a YAML file")])
        if not p.exists():
            raise InputError(source, [Problem("", "no such file")])
        # Read at most MAX_BYTES + 1 bytes: devices and pipes have no meaningful size.
        with p.open("rb") as fh:
            raw = fh.read(MAX_BYTES + 1)
    except InputError:
        raise
    except OSError as exc:
        reason = exc.strerror or str(exc)
        raise InputError(source, [Problem("", f"cannot read the file: {reason}")]) from None
    except ValueError as exc:  # e.g. a NUL byte in the name
        raise InputError(source, [Problem("", f"cannot read the file: {exc}")]) from None
    if len(raw) > MAX_BYTES:
        raise InputError(
            source, [Problem("", f"the file is too large (the limit is {MAX_BYTES} bytes)")]
        )
    if b"\x00" in raw:
        raise InputError(source, [Problem("", "the file is binary, not YAML text")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            source,
            [Problem("", f"the file is binary or not UTF-8 text (bad byte at offset {exc.start})")],
        ) from None
    return parse_yaml_text(text, source)


def parse_scalar(text: str) -> Any:
    """Parse a command-line value as a YAML scalar (`0.5`, `true`, `null`, `hardest_line`).

    Text that is not valid YAML is returned as it is (a plain word).

    Raises:
        ValueError: the value is a list or mapping, NaN or infinity, or breaks a limit.
    """
    try:
        _, value = _load_node(text, "<value>")
    except _Limit as exc:
        raise ValueError(exc.message) from None
    except InputError as exc:
        raise ValueError("; ".join(p.message for p in exc.problems)) from None
    except ConstructorError as exc:
        raise ValueError(_clip(exc.problem or "the value cannot be read")) from None
    except (yaml.YAMLError, RecursionError):
        return text
    if isinstance(value, (dict, list, set)):
        raise ValueError("expected a single value (a number, word, true/false or null)")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("NaN and infinity are not allowed")
    return value

"""Safe YAML reading: size, depth and alias-expansion limits, and key-path line numbers.

Scenario and experiment files come from users; a hostile or broken file must give a
clear message, never a traceback or a hang (billion-laughs aliases, deep nesting).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_BYTES = 2_000_000
MAX_NODES = 200_000
MAX_DEPTH = 64


@dataclass(frozen=True)
class Problem:
    """One problem found in an input: where it is and what is wrong, in plain words."""

    location: str
    message: str
    line: int | None = None

    def render(self, source: str) -> str:
        """Return the one-line form `SOURCE: LOCATION (line N): MESSAGE`."""
        where = self.location or "(top level)"
        line = f" (line {self.line})" if self.line else ""
        return f"{source}: {where}{line}: {self.message}"


class InputError(Exception):
    """Bad user input: a file, a field or an argument, with every problem found."""

    def __init__(self, source: str, problems: list[Problem]):
        self.source = source
        self.problems = problems
        super().__init__("\n".join(p.render(source) for p in problems))


@dataclass
class YamlDocument:
    """A parsed YAML mapping with the line of every key path (1-based), for error messages."""

    data: dict[str, Any]
    lines: dict[tuple[str | int, ...], int] = field(default_factory=dict)

    def line_of(self, path: tuple[str | int, ...]) -> int | None:
        """Line of the deepest known prefix of `path`."""
        for cut in range(len(path), 0, -1):
            if path[:cut] in self.lines:
                return self.lines[path[:cut]]
        return None


class _LimitedLoader(yaml.SafeLoader):
    """SafeLoader whose composed graph is checked before any object is built."""


def _check_graph(node: yaml.Node, source: str) -> None:
    """Reject graphs that expand to too many nodes or nest too deeply (aliases counted)."""
    sizes: dict[int, tuple[int, int]] = {}

    def visit(n: yaml.Node, depth: int) -> tuple[int, int]:
        if depth > MAX_DEPTH:
            raise InputError(
                source, [Problem("", f"nesting deeper than {MAX_DEPTH} levels is not allowed")]
            )
        key = id(n)
        if key in sizes:
            return sizes[key]
        sizes[key] = (1, 1)  # guards against recursive aliases
        if isinstance(n, yaml.MappingNode):
            children = [c for pair in n.value for c in pair]
        elif isinstance(n, yaml.SequenceNode):
            children = list(n.value)
        else:
            children = []
        total, deepest = 1, 0
        for child in children:
            size, d = visit(child, depth + 1)
            total += size
            deepest = max(deepest, d)
            if total > MAX_NODES:
                raise InputError(
                    source,
                    [Problem("", f"the document expands to more than {MAX_NODES} values "
                                 "(aliases included); is an alias repeated on purpose?")],
                )
        sizes[key] = (total, deepest + 1)
        return sizes[key]

    visit(node, 0)


def _collect_lines(
    node: yaml.Node, path: tuple[str | int, ...], out: dict[tuple[str | int, ...], int]
) -> None:
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


def parse_yaml_text(text: str, source: str) -> YamlDocument:
    """Parse YAML text into a mapping, turning every failure into an InputError."""
    if not text.strip():
        raise InputError(source, [Problem("", "the file is empty; expected a YAML mapping")])
    try:
        loader = _LimitedLoader(text)
        try:
            node = loader.get_single_node()
            if node is None:
                raise InputError(source, [Problem("", "the file holds no YAML document")])
            _check_graph(node, source)
            data = loader.construct_document(node)
        finally:
            loader.dispose()
    except InputError:
        raise
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = mark.line + 1 if mark is not None else None
        what = exc.problem or exc.context or "invalid YAML"
        raise InputError(source, [Problem("", f"YAML syntax error: {what}", line)]) from None
    except yaml.YAMLError as exc:
        raise InputError(source, [Problem("", f"YAML error: {exc}")]) from None
    except RecursionError:
        raise InputError(source, [Problem("", "nesting too deep to read")]) from None
    if not isinstance(data, dict):
        kind = type(data).__name__ if data is not None else "nothing"
        raise InputError(
            source, [Problem("", f"expected a mapping of keys to values at the top, found {kind}")]
        )
    bad = _find_non_finite(data)
    if bad is not None:
        raise InputError(source, [Problem(bad, "NaN and infinity are not allowed")])
    lines: dict[tuple[str | int, ...], int] = {}
    _collect_lines(node, (), lines)
    return YamlDocument(data=data, lines=lines)


def _find_non_finite(value: Any, path: str = "") -> str | None:
    if isinstance(value, float) and not math.isfinite(value):
        return path or "(value)"
    if isinstance(value, dict):
        for k, v in value.items():
            found = _find_non_finite(v, f"{path}.{k}" if path else str(k))
            if found is not None:
                return found
    elif isinstance(value, list):
        for i, v in enumerate(value):
            found = _find_non_finite(v, f"{path}.{i}" if path else str(i))
            if found is not None:
                return found
    return None


def read_yaml_file(path: str | Path) -> YamlDocument:
    """Read a YAML mapping from a file with every failure reported as an InputError."""
    source = str(path)
    p = Path(path)
    try:
        if p.is_dir():
            raise InputError(source, [Problem("", "is a directory, not a YAML file")])
        if not p.exists():
            raise InputError(source, [Problem("", "no such file")])
        size = p.stat().st_size
        if size > MAX_BYTES:
            raise InputError(
                source, [Problem("", f"file is {size} bytes; the limit is {MAX_BYTES}")]
            )
        raw = p.read_bytes()
    except InputError:
        raise
    except OSError as exc:
        raise InputError(source, [Problem("", f"cannot read the file: {exc.strerror}")]) from None
    if b"\x00" in raw:
        raise InputError(source, [Problem("", "the file is binary, not YAML text")])
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            source, [Problem("", f"the file is not UTF-8 text (byte {exc.start})")]
        ) from None
    return parse_yaml_text(text, source)


def parse_scalar(text: str) -> Any:
    """Parse a command-line value as a YAML scalar (`0.5`, `true`, `null`, `hardest_line`)."""
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return text
    if isinstance(value, (dict, list)):
        raise ValueError("expected a single value (a number, word, true/false or null)")
    if isinstance(value, float) and not math.isfinite(value):
        raise ValueError("NaN and infinity are not allowed")
    return value

"""Broken and hostile input documents and their checks, shared by the input tests.

Most documents are the classroom Faratin scenario with one edit (`mutate`), so that a
test names the one thing that is wrong and the line it is on.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from pathlib import Path

import pytest

from bargainsim.errors import InputError
from limits import CPU_LIMIT, CpuLimit

ROOT = Path(__file__).resolve().parents[1]
FARATIN = ROOT / "scenarios" / "classroom" / "faratin.yaml"
BASE = FARATIN.read_text(encoding="utf-8")

# the studio's discount line and the start of the line after it (an anchor for edits)
STUDIO_DISCOUNT = "    discount: 1.0\n    tactic: {kind: time_dependent, beta: 2.0"


def mutate(old: str, new: str, text: str = BASE) -> str:
    """Replace `old` (which must occur) by `new` in the Faratin scenario."""
    assert old in text, f"mutation anchor {old!r} not found: faratin.yaml changed?"
    return text.replace(old, new, 1)


def studio_discount(value: str) -> str:
    """The Faratin scenario with the studio's discount written as `value`."""
    return mutate(STUDIO_DISCOUNT, STUDIO_DISCOUNT.replace("1.0", value, 1))


def line_of(text: str, marker: str) -> int:
    """1-based line of the first occurrence of `marker` in `text`."""
    assert marker in text, marker
    return text[: text.index(marker)].count("\n") + 1


def write(folder: Path, content: str | bytes, name: str = "scenario.yaml") -> Path:
    """Write `content` (text as UTF-8, bytes as they are) to `folder/name`."""
    path = folder / name
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content, encoding="utf-8")
    return path


def input_error(call: Callable[[], object], cpu_limit: CpuLimit) -> InputError:
    """The InputError that `call()` raises, within the CPU limit, with its problems."""
    with cpu_limit(CPU_LIMIT), pytest.raises(InputError) as caught:
        call()
    assert caught.value.problems, "an InputError with no problem in it"
    return caught.value


def assert_names(error: InputError, needles: tuple[str, ...]) -> None:
    """Every needle is in the error's problems as printed (case-insensitive)."""
    text = str(error).lower()
    for needle in needles:
        assert needle.lower() in text, f"{needle!r} not in {str(error)!r}"


def nested_flow(depth: int) -> str:
    """`a: [[[...]]]`, `depth` brackets deep."""
    return "a: " + "[" * depth + "]" * depth + "\n"


def nested_block(depth: int) -> str:
    """Block mappings `depth` levels deep."""
    return "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "x: 1\n"


def billion_laughs(levels: int = 9, width: int = 9) -> str:
    """Each anchor repeats the previous one `width` times: 9**9 values from 10 lines."""
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
    """4 KiB of seeded random bytes ending in a NUL."""
    rng = random.Random(2023)
    return bytes(rng.randrange(256) for _ in range(4096)) + b"\x00"

"""Scenario files: reading them with clear errors, and dotted-path overrides.

Data flows one way: a YAML file is read safely (yamlio), overridden by `--set` values,
validated against the schema (`bargainsim.schema`) into a `Scenario`, then prepared for
runs (`bargainsim.prepare`). Every problem is reported with the file, the key path and
the line. The schema's main names are re-exported here for users' imports.
"""

from __future__ import annotations

import copy
import logging
import re
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from bargainsim.errors import InputError, Problem
from bargainsim.modes import MODES
from bargainsim.schema import (
    CompanyParty,
    Members,
    Mode,
    Scenario,
    UnionParty,
)
from bargainsim.tactics import TACTICS
from bargainsim.yamlio import YamlDocument, parse_scalar, read_yaml_file

logger = logging.getLogger(__name__)

__all__ = [
    "MODES", "CompanyParty", "Members", "Mode", "Scenario", "UnionParty", "apply_overrides",
    "dump", "load_scenario", "scenario_from_dict", "set_path", "validate_document",
]




_LEADING_PATH = re.compile(r"^([A-Za-z_][\w\-]*(?:\.[\w\-]+)*): (.*)$", re.S)
_TACTIC_KEYS = ("tactic", "employer_tactic")


def _format_loc(loc: tuple[Any, ...]) -> tuple[str | int, ...]:
    """Drop pydantic's union-member tags (`UnionParty`, `function-after[...]`) from a location."""
    out: list[str | int] = []
    for part in loc:
        if isinstance(part, str) and (
            part in ("union", "company") and out and out[-2:-1] == ["parties"]
        ):
            continue
        if isinstance(part, str) and ("[" in part or part in ("UnionParty", "CompanyParty")):
            continue
        if isinstance(part, str) and out and out[-1] in _TACTIC_KEYS and part in TACTICS:
            continue
        out.append(part)
    return tuple(out)


def _problems_from_validation(exc: ValidationError, doc: YamlDocument | None) -> list[Problem]:
    problems: list[Problem] = []
    for err in exc.errors(include_url=False):
        loc = _format_loc(tuple(err["loc"]))
        msg = err["msg"]
        if msg.startswith("Value error, "):
            msg = msg[len("Value error, ") :]
        if not loc and (m := _LEADING_PATH.match(msg)):
            # cross-field rules name their key path at the start of the message
            loc = tuple(int(k) if k.isdigit() else k for k in m.group(1).split("."))
            msg = m.group(2)
        if err["type"] == "extra_forbidden":
            msg = "unknown key (not part of the scenario format)"
        elif err["type"] == "missing":
            msg = "required key is missing"
        elif err["type"] in ("union_tag_invalid", "union_tag_not_found"):
            if len(loc) == 2 and loc[0] == "parties":
                msg = "role must be 'union' or 'company'"
            elif loc and loc[-1] in _TACTIC_KEYS:
                msg = f"kind must be one of {', '.join(TACTICS)}"
        if "input" in err and err["type"] not in ("missing", "extra_forbidden"):
            shown = repr(err["input"])
            if len(shown) <= 60 and not isinstance(err["input"], dict):
                msg = f"{msg} (got {shown})"
        line = doc.line_of(loc) if doc else None
        problems.append(Problem(".".join(str(p) for p in loc), msg, line))
    return problems


def validate_document(
    data: dict[str, Any], source: str, doc: YamlDocument | None = None
) -> Scenario:
    """Validate a scenario mapping, raising InputError with every problem found."""
    TACTICS.load_plugins()  # plugins' tactics join the schema before the first validation
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        raise InputError(source, _problems_from_validation(exc, doc)) from None
    except RecursionError:
        raise InputError(source, [Problem("", "nesting too deep")]) from None


def apply_overrides(data: dict[str, Any], overrides: list[str] | None) -> dict[str, Any]:
    """Return a copy of `data` with each `KEY.PATH=VALUE` applied (list items by index)."""
    if not overrides:
        return data
    out = copy.deepcopy(data)
    for item in overrides:
        if "=" not in item:
            raise InputError("--set", [Problem(item, "expected KEY.PATH=VALUE")])
        path, _, raw = item.partition("=")
        try:
            value = parse_scalar(raw.strip())
        except ValueError as exc:
            raise InputError("--set", [Problem(path.strip(), str(exc))]) from None
        set_path(out, path.strip(), value, "--set")
    return out


def set_path(data: dict[str, Any], path: str, value: Any, source: str) -> None:
    """Set the value at a dotted key path in place (list items by index, mappings created).

    Raises:
        InputError: the path is empty, names a missing list item, or runs through a value;
            reported against `source` (e.g. `--set` or an experiment file).
    """
    keys = path.split(".")
    if not path or any(not k for k in keys):
        raise InputError(source, [Problem(path, "empty key in the dotted path")])
    node: Any = data
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        where = ".".join(keys[: depth + 1])
        if isinstance(node, list):
            try:
                idx = int(key)
                node[idx]  # noqa: B018 - bounds check
            except (ValueError, IndexError):
                raise InputError(
                    source, [Problem(where, f"no list item {key!r} (length {len(node)})")]
                ) from None
            if last:
                node[idx] = value
            else:
                node = node[idx]
        elif isinstance(node, dict):
            if last:
                node[key] = value
            else:
                if key not in node or node[key] is None:
                    node[key] = {}
                node = node[key]
        else:
            raise InputError(
                source, [Problem(where, "the path goes through a single value, not a mapping")]
            )


def check_party_path(data: dict[str, Any], path: str, source: str) -> None:
    """Refuse a dotted path into a party the scenario does not have (a typo, not a new party).

    Raises:
        InputError: naming the path and the parties there are.
    """
    keys = path.split(".")
    parties = data.get("parties") if isinstance(data, dict) else None
    if len(keys) >= 3 and keys[0] == "parties" and keys[1] and isinstance(parties, dict):
        if keys[1] not in parties:
            raise InputError(source, [Problem(path, f"no party named {keys[1]!r}; the parties "
                                                    f"are {', '.join(parties)}")])


def load_scenario(path: str | Path, overrides: list[str] | None = None) -> Scenario:
    """Read, override and validate a scenario file; every problem raises InputError."""
    doc = read_yaml_file(path)
    for item in overrides or []:
        check_party_path(doc.data, item.partition("=")[0].strip(), "--set")
    data = apply_overrides(doc.data, overrides)
    try:
        return validate_document(data, str(path), doc)
    except InputError as exc:
        keys = [o.partition("=")[0].strip() for o in overrides or []]
        exc.problems = [
            Problem(p.location, f"{p.message} [from --set {k}]", p.line)
            if (
                k := next(
                    (k for k in keys if p.location.startswith(k) or k.startswith(p.location)),
                    None,
                )
            )
            else p
            for p in exc.problems
        ]
        raise


def scenario_from_dict(data: dict[str, Any], source: str = "<scenario>") -> Scenario:
    """Validate a plain mapping (e.g. a document sent to a worker)."""
    return validate_document(data, source)


def dump(scn: Scenario) -> dict[str, Any]:
    """A plain JSON-able document of the scenario (what workers receive)."""
    return scn.model_dump(mode="json", exclude_none=True)

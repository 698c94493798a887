"""Calibrated parameters applied to a scenario document in memory: wildcards and scales.

A calibrated parameter is shared by scenarios that differ in their own values (each strike
has its own deadline, its own companies), so a parameter's dotted path may hold `*` and
may be a scale rather than a value:

- `*` stands for every key of the mapping there that has the rest of the path
  (`parties.*.backlog_weeks`: every company, its preset's value included;
  `parties.*.members.tiers.*.savings_weeks`: every tier of the union, whatever its name);
- `scale: true` multiplies each scenario's own value (a company's preset value when the
  scenario leaves it to the preset) instead of setting it.

`concrete` expands a parameter to the concrete paths of one scenario; `apply` sets the
values (never touching a path a sweep varies or `--set` fixes). A path a scenario lacks is
a `LookupError` the callers report with their file, key and line.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from typing import Any

from bargainsim.presets import BUSINESS_FIELDS, PRESETS


def _companies(doc: Mapping[str, Any]) -> list[str]:
    parties = doc.get("parties") or {}
    return [name for name, p in parties.items()
            if isinstance(p, dict) and p.get("role") == "company"]


def concrete(doc: Mapping[str, Any], path: str) -> list[str]:
    """Every concrete dotted path a (possibly wildcard) path names in this scenario document.

    Raises:
        LookupError: the scenario has no such place (a typo, or another scenario's party).
    """
    keys = path.split(".")
    found: list[list[str]] = [[]]
    for depth, key in enumerate(keys):
        last = depth == len(keys) - 1
        nxt: list[list[str]] = []
        for prefix in found:
            node = _get(doc, prefix)
            if not isinstance(node, dict):
                continue
            if key == "*":
                nxt += [[*prefix, name] for name in node]
            elif key in node or (last and _company_field(doc, prefix, key)):
                nxt.append([*prefix, key])
        found = nxt
    if not found:
        raise LookupError(f"the scenario has no {path}")
    return [".".join(p) for p in found]


def _company_field(doc: Mapping[str, Any], prefix: list[str], key: str) -> bool:
    """Whether `prefix` is a company and `key` one of its business fields (preset or own)."""
    return (len(prefix) == 2 and prefix[0] == "parties" and prefix[1] in _companies(doc)
            and key in BUSINESS_FIELDS)


def _get(doc: Mapping[str, Any], keys: list[str]) -> Any:
    node: Any = doc
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node


def current(doc: Mapping[str, Any], path: str) -> float:
    """The scenario's own value at a concrete path (a company's preset value if unset)."""
    keys = path.split(".")
    value = _get(doc, keys)
    if value is None and _company_field(doc, keys[:-1], keys[-1]):
        party = doc["parties"][keys[1]]
        value = PRESETS[party.get("preset", "custom")][keys[-1]]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise LookupError(f"{path} is not a number in the scenario ({value!r}); it cannot "
                          "be scaled")
    return float(value)


def apply(doc: dict[str, Any], values: Mapping[str, float], scaled: Collection[str] = (),
          fixed: Collection[str] = ()) -> dict[str, Any]:
    """Set (or scale, for paths in `scaled`) each parameter's value in the document in place.

    `fixed`: concrete paths left as they are (a sweep varies them, `--set` fixes them).

    Raises:
        LookupError: a path the scenario lacks, or a scale of a value that is not a number.
    """
    fixed = set(fixed)
    for path, value in values.items():
        for place in concrete(doc, path):
            if place in fixed or any(place.startswith(f + ".") for f in fixed):
                continue
            new = current(doc, place) * value if path in scaled else value
            keys = place.split(".")
            parent = _get(doc, keys[:-1])
            parent[keys[-1]] = float(new)
    return doc

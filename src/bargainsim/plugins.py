"""What is registered at bargainsim's extension points, and where each entry came from.

Modes, tactics, output columns and company statuses are registries (`bargainsim.registry`);
built-in entries come from bargainsim, others from installed packages' entry points
(groups `bargainsim.modes`, `bargainsim.tactics`, `bargainsim.outputs`,
`bargainsim.statuses`). `bargainsim plugins`
prints this listing; docs/extending.md shows how to write a plugin.
"""

from __future__ import annotations

from typing import Any

from bargainsim.registry import Registry


def registries() -> dict[str, Registry[Any]]:
    """The extension points by kind (importing them registers the built-ins)."""
    from bargainsim.modes import MODES
    from bargainsim.outputs import OUTPUTS
    from bargainsim.status import STATUSES
    from bargainsim.tactics import TACTICS

    return {"modes": MODES, "tactics": TACTICS, "outputs": OUTPUTS, "statuses": STATUSES}


def listing() -> list[dict[str, str]]:
    """Every registered entry: kind, name, origin and a one-line description."""
    rows = []
    for kind, registry in registries().items():
        for entry in registry.entries():
            rows.append({"kind": kind, "name": entry.name, "origin": entry.origin,
                         "description": _describe(entry.value)})
    return rows


def _describe(value: Any) -> str:
    """An entry's one-line description: its `description`, else its docstring's first line."""
    text = getattr(value, "description", None) or (value.__doc__ or "").strip()
    return text.splitlines()[0] if text else ""


def format_listing(rows: list[dict[str, str]], plugins_only: bool = False) -> str:
    """The listing as text: one block per kind, one line per entry, plugins marked."""
    lines = []
    for kind in registries():
        entries = [r for r in rows if r["kind"] == kind
                   and (not plugins_only or r["origin"] != "bargainsim")]
        if not entries:
            continue
        lines.append(f"{kind}:")
        width = max(len(r["name"]) for r in entries)
        for r in entries:
            where = "" if r["origin"] == "bargainsim" else f"  [{r['origin']}]"
            lines.append(f"  {r['name']:<{width}}  {r['description']}{where}")
    return "\n".join(lines) if lines else "no plugins installed"

"""bargainsim: agent-based simulation of multi-party bargaining (a union, an alliance, studios).

Import what you need: `load_scenario` to read a file, `run` for one simulation record,
`BargainingModel` for the Mesa model itself, `theory` for the closed forms.
"""

from __future__ import annotations

__version__ = "0.1.0"

"""Bargaining modes as objects: each is one class, registered by its name.

Built-in modes are registered here; a package outside bargainsim adds its own through the
entry-point group `bargainsim.modes` (each entry point names a `Mode` subclass). The
scenario's `mode`, the CLI's choices, plot colours, the game and the app all read this
registry.
"""

from __future__ import annotations

from bargainsim.modes.base import Mode, check
from bargainsim.modes.standard import Breakaway, Coalition, Pattern, Separate
from bargainsim.registry import Registry

MODES: Registry[type[Mode]] = Registry("mode", "bargainsim.modes", check)
for _cls in (Coalition, Separate, Pattern, Breakaway):
    MODES.register(_cls)

__all__ = ["MODES", "Breakaway", "Coalition", "Mode", "Pattern", "Separate"]

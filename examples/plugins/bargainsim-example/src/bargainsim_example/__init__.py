"""An example bargainsim plugin: the `hardball` tactic and the `sequential` mode.

Installed, its entry points register both with bargainsim (see pyproject.toml); nothing
here is imported until a scenario, or `bargainsim plugins`, asks for them.
"""

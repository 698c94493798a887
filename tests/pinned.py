"""Overrides that pin wga_2023's talks to a fixed process, for tests that follow one game.

Tests that script a game week by week (answers at a known session, a known settlement
week) pin the talks they were written against: talks on from week 1, a session with
probability 0.7, broken off with 0.3, resumed with 0.15, each table on its own calendar.
The scenario's estimated talks (docs/model.md, "The talks process") may change; these do not.
"""

from __future__ import annotations

EARLY_TALKS = ["talks.on_at_start=true", "talks.first_week=1", "talks.meet_probability=0.7",
               "talks.breakdown_probability=0.3", "talks.resume_probability=0.15",
               "talks.correlation=0"]


def as_set_options(overrides: list[str]) -> list[str]:
    """The overrides as command-line options (`--set KEY=VALUE` each)."""
    return [a for o in overrides for a in ("--set", o)]

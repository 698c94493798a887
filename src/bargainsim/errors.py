"""Bad user input as one exception: every problem found, each with where it is and what is wrong.

Every reader of user input (YAML files, scenario and experiment schemas, `--set` values,
command-line arguments, results folders) raises `InputError`; the command line prints its
problems, one a line, as `SOURCE: key.path (line N): message` and exits 2.
"""

from __future__ import annotations

from dataclasses import dataclass


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
        super().__init__(str(self))

    def __str__(self) -> str:
        """Every problem, one a line, as the command prints them (problems added later too)."""
        return "\n".join(p.render(self.source) for p in self.problems)

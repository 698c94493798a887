"""Bad input as one exception (`bargainsim.errors`): each problem on one line, as printed."""

from __future__ import annotations

import pytest

from bargainsim.errors import InputError, Problem


@pytest.mark.parametrize(
    ("problem", "line"),
    [
        pytest.param(Problem("horizon", "must be positive", 12),
                     "f.yaml: horizon (line 12): must be positive", id="key-and-line"),
        pytest.param(Problem("parties.studio.discount", "too large"),
                     "f.yaml: parties.studio.discount: too large", id="key-no-line"),
        pytest.param(Problem("", "no such file"), "f.yaml: (top level): no such file",
                     id="top-level"),
        pytest.param(Problem("", "YAML syntax error: x", 3),
                     "f.yaml: (top level) (line 3): YAML syntax error: x", id="top-level-line"),
    ],
)
def test_a_problem_renders_as_one_line(problem: Problem, line: str) -> None:
    assert problem.render("f.yaml") == line


def test_an_input_error_holds_every_problem_and_prints_one_a_line() -> None:
    problems = [Problem("horizon", "must be positive", 12), Problem("", "empty")]
    error = InputError("--set", problems)
    assert (error.source, error.problems) == ("--set", problems)
    assert str(error) == "--set: horizon (line 12): must be positive\n--set: (top level): empty"
    assert isinstance(error, Exception)


def test_the_message_follows_problems_changed_after_the_error_was_raised() -> None:
    """A caller may annotate problems on the way up (`load_scenario` adds `[from --set K]`)."""
    error = InputError("f.yaml", [Problem("horizon", "bad")])
    error.problems = [Problem("horizon", "bad [from --set horizon]", 12)]
    assert str(error) == "f.yaml: horizon (line 12): bad [from --set horizon]"

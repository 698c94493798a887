"""Questions at a terminal: ask, explain a bad answer and ask again, help on `?`, quit on `q`.

Reads whole lines from a text stream (a keyboard or a pipe) and writes to another. When
the input is not a terminal, each answer is echoed after its prompt, so that a scripted
game reads like a played one.
"""

from __future__ import annotations

import textwrap
from collections.abc import Callable
from typing import TextIO, TypeVar

T = TypeVar("T")

WIDTH = 80  # a terminal's columns: longer lines are wrapped between words
HELP_WORDS = ("?", "help")
QUIT_WORDS = ("q", "quit", "exit")


class Abandoned(Exception):  # noqa: N818 - an outcome, not a failure
    """The player left: `q`, end of input or Ctrl-C."""


class Hint(ValueError):
    """A bad answer, with what would be a good one."""


class Console:
    """A question-and-answer channel over two text streams."""

    def __init__(self, stdin: TextIO, stdout: TextIO) -> None:
        self.stdin = stdin
        self.stdout = stdout
        try:
            self.echo = not stdin.isatty()
        except (AttributeError, ValueError):
            self.echo = True

    def say(self, text: str = "") -> None:
        """Print a line (or several), each wrapped between words to fit WIDTH columns."""
        self.stdout.write("\n".join(fit(line) for line in text.split("\n")) + "\n")

    def read(self, prompt: str) -> str:
        """One answer, stripped; raises Abandoned at the end of input or on Ctrl-C."""
        self.stdout.write(prompt)
        self.stdout.flush()
        try:
            line = self.stdin.readline()
        except KeyboardInterrupt:
            self.stdout.write("\n")
            raise Abandoned("interrupted (Ctrl-C)") from None
        if not line:
            self.stdout.write("\n")
            raise Abandoned("end of input")
        answer = line.strip()
        if self.echo:
            self.stdout.write(answer + "\n")
        return answer

    def ask(self, prompt: str, parse: Callable[[str], T], help_text: Callable[[], str]) -> T:
        """Ask until `parse` accepts the answer; `?` prints help, `q` abandons.

        Args:
            prompt: The question, ending where the answer is typed.
            parse: Turns an answer into a value or raises Hint saying what is wrong.
            help_text: Called on `?` for the help to print.
        """
        while True:
            answer = self.read(prompt)
            word = answer.lower()
            if word in HELP_WORDS:
                self.say(help_text())
                continue
            if word in QUIT_WORDS:
                raise Abandoned("you quit")
            try:
                return parse(answer)
            except Hint as hint:
                self.say(f"  ! {hint} (type ? for help)")


def fit(line: str, width: int = WIDTH) -> str:
    """`line` wrapped between words to `width` columns, continuations indented two more.

    A line that fits is returned as it is (tables keep their columns); a word longer than
    the width is left whole rather than cut.
    """
    if len(line) <= width:
        return line
    indent = line[: len(line) - len(line.lstrip())]
    return textwrap.fill(line, width=width, subsequent_indent=indent + "  ",
                         break_long_words=False, break_on_hyphens=False)


def parse_yes_no(answer: str) -> bool:
    """`y`/`yes` is True, `n`/`no` False; anything else is a Hint."""
    word = answer.lower()
    if word in ("y", "yes"):
        return True
    if word in ("n", "no"):
        return False
    if not word:
        raise Hint("please answer y or n")
    raise Hint(f"{answer!r} is not an answer here: type y or n")

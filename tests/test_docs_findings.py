"""docs/findings.md: every `bargainsim ...` command it quotes would run as written.

Cheap, nothing is simulated: each command in a ```sh block is parsed by the CLI's own
parser (an unknown option or a bad value fails it), its scenario or experiment must exist
(a file or a shipped name), its `--set` overrides must apply to the scenario, a
`--posterior` or a results folder must be written by a command quoted before it, and a
figure it draws into docs/ must be in the repository. Every figure the doc shows must be
drawn by one of its commands.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from bargainsim import shipped
from bargainsim.cli import build_parser
from bargainsim.scenario import load_scenario

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "findings.md"
FENCE = re.compile(r"^```sh\n(.*?)^```$", re.M | re.S)
IMAGE = re.compile(r"!\[[^\]]*\]\(([^)]+)\)")
RUNNERS = ("calibrate", "sweep", "sensitivity")   # write results/NAME unless --out


def commands(text: str) -> list[str]:
    """Each `bargainsim ...` line of the ```sh blocks (continuations joined, comments cut)."""
    found: list[str] = []
    for body in FENCE.findall(text):
        for line in body.replace("\\\n", " ").splitlines():
            line = line.split(" #", 1)[0].strip()
            if line.startswith("bargainsim "):
                found.append(line)
    return found


def _name(path: str) -> str:
    """An experiment's or calibration's `name:` (the results folder's default name)."""
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        if line.startswith("name:"):
            return line.split(":", 1)[1].strip()
    raise AssertionError(f"{path}: no name")


def problems(text: str) -> list[str]:
    """What is wrong with the doc's commands (empty when every command would run)."""
    parser = build_parser()
    written: set[Path] = set()      # folders and files the commands before write
    wrong: list[str] = []

    def produced(path: str) -> bool:
        p = Path(path)
        return p in written or (p.parent in written and p.name == "posterior.yaml")

    for line in commands(text):
        argv = shlex.split(line)[1:]
        try:
            args = parser.parse_args(argv)
        except SystemExit:
            wrong.append(f"{line}: the CLI's parser refuses it")
            continue
        command = args.command
        if command in ("run", "compare"):
            try:
                load_scenario(shipped.resolve(args.file), args.overrides)
            except Exception as error:   # noqa: BLE001 - any refusal is the finding
                wrong.append(f"{line}: {error}")
        if command in RUNNERS:
            try:
                path = shipped.resolve(args.file, ("experiment",))
            except Exception as error:   # noqa: BLE001
                wrong.append(f"{line}: {error}")
                continue
            written.add(Path(args.out) if args.out else Path("results") / _name(path))
        if command == "compare" and args.out:
            written.add(Path(args.out))
        posterior = getattr(args, "posterior", None)
        if posterior and not produced(posterior):
            wrong.append(f"{line}: no command before it writes {posterior}")
        reads = command in ("discover", "summarize") or getattr(args, "figure", None) == "sweep"
        if reads and Path(args.folder) not in written:
            wrong.append(f"{line}: no command before it writes {args.folder}")
        if command == "discover" and args.out:
            written.add(Path(args.out))
        plot = getattr(args, "plot", None) or getattr(args, "output", None)
        if plot and plot.startswith("docs/") and not (ROOT / plot).is_file():
            wrong.append(f"{line}: {plot} is not in the repository")
    return wrong


def test_the_doc_quotes_commands_for_each_kind_of_evidence():
    found = {shlex.split(line)[1] for line in commands(DOC.read_text(encoding="utf-8"))}
    assert {"calibrate", "compare", "sweep", "discover", "sensitivity"} <= found


def test_every_command_in_the_doc_names_options_and_files_that_exist():
    assert problems(DOC.read_text(encoding="utf-8")) == []


def test_every_figure_the_doc_shows_is_drawn_by_one_of_its_commands():
    text = DOC.read_text(encoding="utf-8")
    plots = {words[words.index(option) + 1] for words in map(shlex.split, commands(text))
             for option in ("--plot", "-o") if option in words}
    for image in IMAGE.findall(text):
        assert (DOC.parent / image).is_file(), image
        assert f"docs/{image}" in plots, f"no command in the doc draws {image}"


@pytest.mark.parametrize("bad, why", [
    ("bargainsim compare wga_2023 --seeds 0", "parser"),
    ("bargainsim compare wga_2032 --seeds 20", "no such file"),
    ("bargainsim compare wga_2023 --set talks.nonsense=1", "nonsense"),
    ("bargainsim compare wga_2023 --posterior results/elsewhere/posterior.yaml", "writes"),
    ("bargainsim discover results/lhs_industry", "writes"),
    ("bargainsim plot sweep results/lhs_industry --x talks.correlation -o x.png", "writes"),
    ("bargainsim sweep lhs_industry --workers 1 --plot docs/nothing.png", "parser"),
    ("bargainsim sensitivity sensitivity_morris --workers 1 --plot docs/nothing.png",
     "not in the repository"),
])
def test_the_check_fails_on_a_wrong_command(bad, why):
    found = problems(f"```sh\n{bad}\n```\n")
    assert len(found) == 1 and why in found[0], found

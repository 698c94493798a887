"""The scenarios and experiments shipped with the package, found by name.

They are package data (`bargainsim/data/scenarios/`, `bargainsim/data/experiments/`, read
through importlib.resources), so an installed wheel has them wherever it runs; the
repository's `scenarios/` and `experiments/` are links to those folders. A command's
scenario argument that is an existing path is used as it is; otherwise a shipped name
(`wga_2023`, `classroom/faratin`, `coalition_vs_separate`, also spelled as the repository
path `scenarios/wga_2023.yaml`) resolves to the shipped file. Experiments name their
scenario relative to themselves (`../scenarios/wga_2023.yaml`), which holds in the package
as in a copy made by `copy_to`.
"""

from __future__ import annotations

import atexit
import contextlib
import difflib
import functools
import importlib.resources
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from bargainsim.errors import InputError, Problem

Kind = Literal["scenario", "experiment"]
KINDS: tuple[Kind, ...] = ("scenario", "experiment")
FOLDERS: dict[Kind, str] = {"scenario": "scenarios", "experiment": "experiments"}
DEFAULT_SCENARIO = "wga_2023"

_extracted = contextlib.ExitStack()
atexit.register(_extracted.close)


@functools.cache
def data_dir() -> Path:
    """The shipped data as a folder on disk (extracted once if the package is zipped)."""
    root = importlib.resources.files("bargainsim") / "data"
    if isinstance(root, Path):
        return root
    return Path(_extracted.enter_context(importlib.resources.as_file(root)))


def shipped(kind: Kind) -> dict[str, Path]:
    """Name -> file of every shipped scenario or experiment (`classroom/faratin` style names)."""
    folder = data_dir() / FOLDERS[kind]
    files = sorted(folder.rglob("*.yaml"), key=lambda p: (len(p.relative_to(folder).parts), p))
    return {p.relative_to(folder).with_suffix("").as_posix(): p for p in files}


def scenario_path(name: str = DEFAULT_SCENARIO) -> Path:
    """The file of a shipped scenario (the default one: the 2023 strike)."""
    return shipped("scenario")[name]


def _key(argument: str, kind: Kind) -> str:
    """A name as the user may spell it: `wga_2023`, `wga_2023.yaml`, `scenarios/wga_2023.yaml`."""
    key = argument.replace("\\", "/").removeprefix("./").removesuffix(".yaml")
    return key.removeprefix(FOLDERS[kind] + "/")


def find(argument: str, kinds: tuple[Kind, ...] = ("scenario",)) -> Path | None:
    """The shipped file an argument names, or None."""
    for kind in kinds:
        found = shipped(kind).get(_key(argument, kind))
        if found is not None:
            return found
    return None


def resolve(argument: str, kinds: tuple[Kind, ...] = ("scenario",)) -> str:
    """The file a command's argument means: itself if it exists, else the shipped file.

    Raises InputError naming the argument, with the nearest shipped names, when it is
    neither (exit 2 at the command line).
    """
    if Path(argument).exists():
        return argument
    found = find(argument, kinds)
    if found is not None:
        return str(found)
    key = _key(argument, kinds[0])
    other = [k for k in KINDS if k not in kinds and find(argument, (k,)) is not None]
    if other:
        article = {"scenario": "a scenario", "experiment": "an experiment"}
        problem = (f"names a shipped {other[0]}, not {' or '.join(article[k] for k in kinds)}"
                   f" (`bargainsim scenarios` lists both)")
        raise InputError(argument, [Problem("", problem)])
    names = [name for kind in kinds for name in shipped(kind)]
    what = " or ".join(f"shipped {kind}'s" for kind in kinds)
    near = _near(key, names)
    hint = f"did you mean {' or '.join(near)}?" if near else f"shipped: {', '.join(names)}"
    message = f"no such file, nor a {what} name; {hint} (`bargainsim scenarios` lists them)"
    raise InputError(argument, [Problem("", message)])


def _near(key: str, names: list[str]) -> list[str]:
    """Names close to KEY, matching whole names or their last part (`farat`: classroom/faratin)."""
    spellings = {spelling: name for name in names for spelling in (name.rsplit("/", 1)[-1], name)}
    close = difflib.get_close_matches(key, list(spellings), n=3, cutoff=0.7)
    return list(dict.fromkeys(spellings[c] for c in close))


def name_of(path: str | Path) -> str | None:
    """The shipped name of a file, if it is one of the shipped files (else None)."""
    try:
        resolved = Path(path).resolve()
    except OSError:
        return None
    for kind in KINDS:
        for name, file in shipped(kind).items():
            if file.resolve() == resolved:
                return name
    return None


@dataclass(frozen=True)
class Entry:
    """One shipped file as `bargainsim scenarios` lists it."""

    kind: Kind
    name: str
    mode: str
    clock: str
    description: str


def catalog() -> list[Entry]:
    """Every shipped scenario and experiment with its mode(s), clock and description."""
    from bargainsim.experiments.design import load_experiment
    from bargainsim.scenario import load_scenario

    entries: list[Entry] = []
    for name, path in shipped("scenario").items():
        spec = load_scenario(path)
        entries.append(Entry("scenario", name, spec.mode, spec.protocol.clock,
                             _one_line(spec.description)))
    from bargainsim.evidence.calibration_file import is_calibration, load_calibration

    for name, path in shipped("experiment").items():
        if is_calibration(path):
            cal = load_calibration(path)
            entries.append(Entry("experiment", name, "(calibration)", "week",
                                 _one_line(cal.calibration.description)))
            continue
        exp = load_experiment(path).experiment
        base = load_scenario((path.parent / exp.scenario).resolve())
        entries.append(Entry("experiment", name, ",".join(exp.modes), base.protocol.clock,
                             _one_line(exp.description)))
    return entries


def _one_line(text: str | None) -> str:
    return " ".join((text or "").split())


def format_catalog(entries: list[Entry]) -> str:
    """The listing `bargainsim scenarios` prints: a table per kind, with how to use them."""
    usage = {"scenario": "bargainsim run NAME (also compare, play, plot run, viz, validate)",
             "experiment": "bargainsim sweep NAME (also validate; a Morris or Sobol design: "
                           "bargainsim sensitivity NAME; a calibration: bargainsim calibrate NAME)"}
    width = max(len(e.name) for e in entries)
    lines: list[str] = []
    for kind in KINDS:
        rows = [e for e in entries if e.kind == kind]
        if not rows:
            continue
        heading = "modes" if kind == "experiment" else "mode"
        modes = max(len(heading), *(len(e.mode) for e in rows))
        if lines:
            lines.append("")
        lines.append(f"{FOLDERS[kind]}: {usage[kind]}")
        lines.append(f"  {'name':<{width}}  {heading:<{modes}}  {'clock':<10}  description")
        lines += [f"  {e.name:<{width}}  {e.mode:<{modes}}  {e.clock:<10}  {e.description}"
                  for e in rows]
    lines.append("")
    lines.append("bargainsim scenarios copy DIR: copy them into DIR to edit them")
    return "\n".join(lines)


def copy_to(folder: str | Path) -> list[Path]:
    """Copy every shipped file into FOLDER/scenarios/ and FOLDER/experiments/; the new files.

    Refuses, copying nothing, when FOLDER is a file or any target exists (InputError naming
    each), so nothing a user edited is overwritten. Experiments keep finding their scenario
    (`../scenarios/...`) in the copy.
    """
    dest = Path(folder)
    if dest.exists() and not dest.is_dir():
        raise InputError(str(folder), [Problem("", "exists and is not a folder")])
    pairs = [(path, dest / FOLDERS[kind] / f"{name}.yaml")
             for kind in KINDS for name, path in shipped(kind).items()]
    taken = [target for _, target in pairs if target.exists() or target.is_symlink()]
    if taken:
        raise InputError(str(folder), [
            Problem(str(target), "already exists; nothing was copied (copy into a new or "
                    "empty folder, or move the file away)") for target in taken])
    written: list[Path] = []
    for source, target in pairs:
        try:
            target.parent.mkdir(parents=True, exist_ok=True)
            with open(target, "xb") as out:  # never overwrite, even a file made meanwhile
                out.write(source.read_bytes())
        except OSError as exc:
            problem = Problem(str(target), f"cannot write: {exc.strerror or exc}")
            raise InputError(str(folder), [problem]) from None
        written.append(target)
    return written

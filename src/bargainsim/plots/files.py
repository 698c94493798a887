"""Writing figures: PNG, SVG or PDF by the file's suffix, the same bytes for the same figure."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from matplotlib import rc_context
from matplotlib.figure import Figure

from bargainsim.errors import InputError, Problem

SUFFIXES = (".png", ".svg", ".pdf")
DPI = 150


def check_output(path: str, option: str) -> Path:
    """The output path, if its suffix names a known format and its directory exists.

    Raises:
        InputError: naming `option` and the path when the suffix is unknown, the path is a
            directory, or its parent directory does not exist.
    """
    target = Path(path)
    if target.suffix.lower() not in SUFFIXES:
        shown = target.suffix or "no suffix"
        raise InputError(option, [Problem(path, f"unsupported file type ({shown}); "
                                                "end the name in .png, .svg or .pdf")])
    if target.is_dir() or not target.parent.is_dir():
        raise InputError(option, [Problem(path, "cannot write a file there")])
    return target


def save_figure(fig: Figure, path: str, option: str) -> None:
    """Write `fig` to `path` in the format its suffix names.

    Raises:
        InputError: naming `option` when the suffix is unknown or the file cannot be written.
    """
    target = check_output(path, option)
    try:
        with rc_context({"svg.hashsalt": "bargainsim"}):  # fixed SVG ids: same figure, same file
            fig.savefig(target, dpi=DPI, format=target.suffix.lower()[1:],
                        metadata=_metadata(target.suffix.lower()))
    except OSError as exc:
        raise InputError(option, [Problem(path, f"cannot write: {exc.strerror}")]) from None


def _metadata(suffix: str) -> dict[str, Any]:
    """Fixed metadata, so the same figure gives the same file (no creation date)."""
    if suffix == ".svg":
        return {"Date": None}
    if suffix == ".pdf":
        return {"CreationDate": None}
    return {}

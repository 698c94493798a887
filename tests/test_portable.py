"""No file in the repository names a path of a particular machine."""

from __future__ import annotations

import re
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
# a home, a scratch folder or a checkout of some machine, and file:// addresses
MACHINE_PATH = re.compile(r"(?<![\w.~-])/(?:work|root|home|tmp|Users)/|file://|[A-Z]:\\\\Users")


def tracked() -> list[Path]:
    try:
        out = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True,
                             check=True, timeout=60).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip("not a git checkout")
    return [ROOT / name for name in out.decode().split("\0") if name]


def test_no_absolute_machine_paths_in_tracked_files() -> None:
    found = []
    for path in tracked():
        if path.is_symlink() or not path.is_file() or path == Path(__file__).resolve():
            continue  # (this file's own examples below are not paths)
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError:  # images and other binary files
            continue
        for number, line in enumerate(text.splitlines(), 1):
            if MACHINE_PATH.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:120]}")
    assert not found, "absolute paths of a machine:\n" + "\n".join(found)


@pytest.mark.parametrize("text", ["see /work/main/x", "in /tmp/reg13", "file:///a", "/home/me/",
                                  "`/root/.cache`"])
def test_the_pattern_catches_machine_paths(text: str) -> None:
    assert MACHINE_PATH.search(text)


@pytest.mark.parametrize("text", ["/usr/bin/chromium", "results/tmp/x", "~/home/", "a/work/b"])
def test_the_pattern_leaves_other_paths(text: str) -> None:
    assert not MACHINE_PATH.search(text)

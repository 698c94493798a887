"""docs/classroom.md: every command runs as written, and the figures it quotes are in the output.

Each ```sh block is run line by line with bash (`set -o pipefail`, so a replayed
`printf '...' | bargainsim play ...` fails when the game does) from the repository's top
directory, with this interpreter's scripts first on the PATH. Each ```text block that
follows is what students should see: every one of its lines, spaces collapsed, must
appear in the output of the nearest ```sh block before it.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOC = ROOT / "docs" / "classroom.md"
FENCE = re.compile(r"^```(\w*)\n(.*?)^```$", re.M | re.S)
COMMAND = re.compile(r"^(printf '[^']*' \| )?bargainsim (run|compare|play|plot run|class --check)")


def blocks() -> list[tuple[str, list[str]]]:
    """(language, non-empty lines) of each fenced block, in order."""
    return [(lang, [line for line in body.splitlines() if line.strip()])
            for lang, body in FENCE.findall(DOC.read_text(encoding="utf-8"))]


def sessions() -> list[tuple[list[str], list[str]]]:
    """Each ```sh block's commands with the lines of the ```text blocks after it."""
    out: list[tuple[list[str], list[str]]] = []
    for lang, lines in blocks():
        if lang == "sh":
            out.append((lines, []))
        elif lang == "text":
            assert out, "a text block before any sh block"
            out[-1][1].extend(lines)
    return out


def squash(text: str) -> str:
    return " ".join(text.split())


def test_the_doc_has_four_exercises_with_commands_and_expected_output():
    text = DOC.read_text(encoding="utf-8")
    for heading in ("## Exercise A: patience and Rubinstein",
                    "## Exercise B: Boulware against Conceder",
                    "## Exercise C: coalition against breaking ranks",
                    "## Exercise D: screening"):
        assert heading in text
    assert text.count("Questions for discussion") == 4
    assert "bargainsim viz" in text
    found = sessions()
    assert len(found) >= 6
    assert all(expected for _, expected in found), "every command block has expected output"
    commands = [c for cmds, _ in found for c in cmds]
    for command in commands:
        assert COMMAND.match(command), f"not a bargainsim command: {command}"
    assert any("rubinstein.yaml --set" in c for c in commands)
    assert any("faratin.yaml --set parties.union.tactic.beta" in c for c in commands)
    assert any("--modes coalition,breakaway,separate" in c for c in commands)
    assert sum(" play " in c for c in commands) >= 4


@pytest.mark.parametrize(("commands", "expected"), sessions(),
                         ids=lambda v: v[0][:60] if v and isinstance(v[0], str) else None)
def test_commands_run_and_show_what_the_doc_says(commands, expected):
    env = dict(os.environ)
    env["PATH"] = str(Path(sys.executable).parent) + os.pathsep + env.get("PATH", "")
    output = ""
    for command in commands:
        proc = subprocess.run(
            ["bash", "-c", "set -o pipefail; " + command], cwd=ROOT, env=env,
            capture_output=True, text=True, timeout=300, stdin=subprocess.DEVNULL,
        )
        assert proc.returncode == 0, f"{command}\n{proc.stdout[-2000:]}\n{proc.stderr}"
        assert "Traceback" not in proc.stderr
        output += proc.stdout
    seen = squash(output)
    missing = [line for line in expected if squash(line) not in seen]
    assert not missing, f"not in the output of {commands}: {missing}"

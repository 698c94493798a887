"""The classroom game: a student plays a side against the agents (`bargainsim play`).

- `play`: seats a player at the union, a company or the alliance and runs the game;
- `console`: the terminal's prompts, hints and answers (bad answers change nothing);
- `report`: the result beside the agents' own on the same scenario, mode and seed;
- `prediction`: the closed form's prediction (Rubinstein, Faratin), shown side by side.
"""

from __future__ import annotations

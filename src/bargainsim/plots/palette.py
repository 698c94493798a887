"""One palette for every figure and the app: colour-blind safe, the same colour for the same thing.

Okabe and Ito's (2008) colours for modes and sides, distinguishable under every common
colour-vision deficiency; Paul Tol's "muted" scheme for the tables (companies) of one run.
A mode's colour is the one its class declares (`bargainsim.modes`), so a plugin's mode
keeps its colour in every figure.
"""

from __future__ import annotations

from bargainsim.modes import MODES
from bargainsim.status import STATUSES

OKABE_ITO = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
UNION_COLOUR, EMPLOYER_COLOUR = "#D55E00", "#0072B2"
COALITION_COLOUR = "#222222"  # the alliance among companies' colours
# Paul Tol's muted scheme: nine colours for up to nine tables in one figure.
TOL_MUTED = ("#332288", "#CC6677", "#117733", "#DDCC77", "#88CCEE", "#882255", "#44AA99",
             "#999933", "#AA4499")
# a company's state in the app while struck: bargaining alone, in the alliance; then, once
# its writers are back, its status (settled, on an interim agreement; a status a plugin
# registers brings its own colour, else it gets one of Okabe and Ito's)
STRIKING_COLOURS = ("#E69F00", "#0072B2")
STATUS_COLOURS = {"settled": "#009E73", "interim": "#CC79A7"}
SOLIDARITY_COLOUR, WRITERS_BACK_COLOUR = "#D55E00", "#009E73"


def mode_colour(mode: str, index: int) -> str:
    """The colour a mode declares (`bargainsim.modes`), else the index-th Okabe-Ito colour."""
    colour = MODES.get(mode).colour if mode in MODES else None
    return colour or OKABE_ITO[index % len(OKABE_ITO)]


def status_colour(name: str, index: int) -> str:
    """The colour of a status (`bargainsim.status`): the palette's, its own, else Okabe-Ito's."""
    own = STATUSES.get(name).colour if name in STATUSES else None
    return STATUS_COLOURS.get(name) or own or OKABE_ITO[(index + 5) % len(OKABE_ITO)]


def table_colour(index: int) -> str:
    """The colour of the index-th table (company) of a run."""
    return TOL_MUTED[index % len(TOL_MUTED)]

"""Figures, all in one place: one run, a comparison of modes, a sweep, and the app's live plots.

- `run`: one run's trajectory (offers against demands per issue, deals, the strike's course);
- `compare`: settlement curves by mode, and the speed and terms each mode signs;
- `sweep`: maps and lines of where each mode settles sooner;
- `live`: the classroom app's light plots, redrawn every step;
- `palette`: the colours they share (modes, sides, tables), colour-blind safe;
- `files`: writing a figure as PNG, SVG or PDF, the same bytes for the same figure.

Publication figures take plain data and return a `matplotlib.figure.Figure` built
without pyplot. The names below are the ones the CLI and users call.
"""

from __future__ import annotations

from bargainsim.plots.compare import (
    km_curve,
    settlement_curves,
    settlement_figure,
    terms_data,
    terms_figure,
)
from bargainsim.plots.files import DPI, SUFFIXES, check_output, save_figure
from bargainsim.plots.palette import (
    EMPLOYER_COLOUR,
    OKABE_ITO,
    TOL_MUTED,
    UNION_COLOUR,
    mode_colour,
    status_colour,
    table_colour,
)
from bargainsim.plots.run import issue_axes, run_figure, trajectory_data, trajectory_figure

__all__ = [
    "DPI", "EMPLOYER_COLOUR", "OKABE_ITO", "SUFFIXES", "TOL_MUTED", "UNION_COLOUR",
    "check_output", "issue_axes", "km_curve", "mode_colour", "run_figure", "save_figure",
    "settlement_curves", "settlement_figure", "status_colour", "table_colour", "terms_data",
    "terms_figure", "trajectory_data", "trajectory_figure",
]

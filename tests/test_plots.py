"""plots: the figures show the run's and the comparison's own numbers, labelled and readable."""

from __future__ import annotations

import itertools
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.text import Text
from scipy import stats

from bargainsim import plots
from bargainsim.cli import main
from bargainsim.experiments.compare import run_modes
from bargainsim.model import BargainingModel
from bargainsim.runner import record
from bargainsim.scenario import MODES, load_scenario

ROOT = Path(__file__).resolve().parents[1]
WGA = ROOT / "scenarios" / "wga_2023.yaml"
FARATIN = ROOT / "scenarios" / "classroom" / "faratin.yaml"
ATTRITION = ROOT / "scenarios" / "classroom" / "attrition.yaml"
MAGIC = {".png": b"\x89PNG", ".svg": b"<?xml", ".pdf": b"%PDF"}


def traced(path: Path, mode: str | None, seed: int = 0, overrides: list[str] | None = None):
    spec = load_scenario(path, overrides or [])
    model = BargainingModel(spec, mode=mode, seed=seed, trace=True).run()
    return spec, model.trace_rows, record(model)


def lines_by_label(fig: Figure) -> dict[str, Any]:
    return {line.get_label(): line for ax in fig.axes for line in ax.get_lines()}


def legend_texts(fig: Figure) -> list[str]:
    legends = [ax.get_legend() for ax in fig.axes if ax.get_legend()] + list(fig.legends)
    return [t.get_text() for leg in legends for t in leg.get_texts()]


def overlapping_texts(fig: Figure) -> list[tuple[str, str]]:
    """Texts cut by the figure's edge, and pairs of texts whose drawn boxes intersect.

    Only visible, non-empty texts count; boxes get a 1 px tolerance.
    """
    canvas = FigureCanvasAgg(fig)
    canvas.draw()
    renderer = canvas.get_renderer()
    undrawn = set()  # tick labels outside the view limits exist but are not drawn
    for ax in fig.axes:
        for axis, lim in ((ax.xaxis, ax.get_xlim()), (ax.yaxis, ax.get_ylim())):
            lo, hi = sorted(lim)
            slack = 1e-9 * (hi - lo)
            for tick in axis.get_major_ticks() + axis.get_minor_ticks():
                if not lo - slack <= tick.get_loc() <= hi + slack:
                    undrawn.update({id(tick.label1), id(tick.label2)})
    texts = [t for t in fig.findobj(Text) if t.get_visible() and t.get_text().strip()
             and id(t) not in undrawn]
    boxes = [(t.get_text(), t.get_window_extent(renderer).expanded(1.0, 1.0).padded(-1))
             for t in texts]
    edge = fig.bbox.padded(1)
    clipped = [("<figure edge>", a) for a, box in boxes
               if not (edge.x0 <= box.x0 and box.x1 <= edge.x1 and edge.y0 <= box.y0
                       and box.y1 <= edge.y1)]
    return clipped + [(a, b) for (a, ba), (b, bb) in itertools.combinations(boxes, 2)
                      if ba.overlaps(bb)]


def until_closed(rows: list[dict[str, Any]], key: str) -> list[float]:
    out = []
    for row in rows:
        out.append(np.nan if row[key] is None else float(row[key]))
        if row["closed"]:
            break
    return out


# ---------------------------------------------------------------------------- trace
def test_trace_has_the_union_at_every_table_and_industry_losses() -> None:
    spec, rows, rec = traced(WGA, "separate")
    union_tables = {r["table"] for r in rows if "solidarity" in r}
    assert union_tables == set(spec.company_names)
    by_step: dict[int, set[float]] = {}
    for r in rows:
        if "solidarity" in r and r["offer.wage"] is not None and not r["closed"]:
            by_step.setdefault(r["step"], set()).add(round(r["offer.wage"], 6))
    assert any(len(v) > 1 for v in by_step.values())  # the demand differs between tables
    last = max(r["step"] for r in rows)
    final = [r["industry_losses"] for r in rows if "solidarity" in r and r["step"] == last]
    assert final[0] == pytest.approx(sum(rec["company_losses"].values()))


# ---------------------------------------------------------------------------- trajectory
@pytest.fixture(scope="module")
def separate_run() -> tuple[Any, list[dict[str, Any]], dict[str, Any], Figure]:
    spec, rows, rec = traced(WGA, "separate", seed=1)
    units, bounds = plots.issue_axes(spec)
    return spec, rows, rec, plots.trajectory_figure(rows, rec, units, bounds)


def test_trajectory_lines_are_the_trace_offers(separate_run) -> None:
    spec, rows, rec, fig = separate_run
    lines = lines_by_label(fig)
    issues, tables = plots.trajectory_data(rows)
    assert issues == list(spec.issues)
    assert set(tables) == set(spec.company_names)
    for issue in issues:
        for table, sides in tables.items():
            for side in ("union", "employer"):
                line = lines[f"{side}:{table}:{issue}"]
                expected = until_closed(sides[side], f"offer.{issue}")
                np.testing.assert_array_equal(line.get_ydata(), expected)
                assert line.get_xdata()[0] == sides[side][0]["step"]
    for deal in rec["deals"]:
        table = deal["parties"][0]
        for issue, value in deal["terms"].items():
            star = lines[f"deal:{table}:{issue}"]
            assert star.get_ydata()[0] == pytest.approx(value)
            assert abs(star.get_xdata()[0] - deal["step"]) < 1.0


def test_trajectory_axes_are_labelled_with_units_and_the_tables_named(separate_run) -> None:
    spec, rows, rec, fig = separate_run
    by_title = {ax.get_title(loc="left"): ax for ax in fig.axes}
    for name, issue in spec.issues.items():
        ax = by_title[name]
        assert ax.get_ylabel().replace("\n", " ") == issue.unit
        assert ax.get_ylim()[0] <= issue.min and ax.get_ylim()[1] >= issue.max
    assert "week of strike" in {ax.get_xlabel() for ax in fig.axes}
    legend = legend_texts(fig)
    assert set(spec.company_names) <= set(legend)
    assert {"union's demand at the table", "employer side's offer", "deal (ratified)"} <= set(
        legend)
    assert "separate mode, seed 1" in fig.get_suptitle()


def test_trajectory_lower_panel_shows_solidarity_writers_back_and_losses(separate_run) -> None:
    _, rows, rec, fig = separate_run
    lines = lines_by_label(fig)
    first_union: dict[int, dict[str, Any]] = {}
    for r in rows:
        if "solidarity" in r:
            first_union.setdefault(r["step"], r)
    steps = sorted(first_union)
    np.testing.assert_allclose(lines["solidarity (share)"].get_ydata(),
                               [first_union[s]["solidarity"] for s in steps])
    np.testing.assert_allclose(lines["writers back at work (share)"].get_ydata(),
                               rec["writers_back_share"])
    losses = lines["industry's cumulative losses ($M)"]
    assert losses.get_ydata()[-1] == pytest.approx(sum(rec["company_losses"].values()))
    assert losses.axes.get_ylabel() == "cumulative losses ($M)"


def test_trajectory_text_does_not_overlap(separate_run) -> None:
    assert overlapping_texts(separate_run[3]) == []


def test_classroom_trajectory_has_one_issue_panel_and_no_members_panel() -> None:
    spec, rows, rec = traced(FARATIN, None)
    units, bounds = plots.issue_axes(spec)
    fig = plots.trajectory_figure(rows, rec, units, bounds)
    assert len(fig.axes) == 1
    ax = fig.axes[0]
    assert ax.get_xlabel().startswith("step")
    assert ax.get_ylabel() == "%"
    lines = lines_by_label(fig)
    _, tables = plots.trajectory_data(rows)
    np.testing.assert_array_equal(lines["employer:studio:wage"].get_ydata(),
                                  until_closed(tables["studio"]["employer"], "offer.wage"))
    assert lines["deal:studio:wage"].get_ydata()[0] == pytest.approx(
        rec["deals"][0]["terms"]["wage"])
    assert {"union's demand", "studio's offer"} <= set(legend_texts(fig))
    assert overlapping_texts(fig) == []


def test_coalition_trajectory_text_does_not_overlap() -> None:
    spec, rows, rec = traced(WGA, "coalition")
    fig = plots.trajectory_figure(rows, rec, *plots.issue_axes(spec))
    assert {"union's demand", "amptp's offer"} <= set(legend_texts(fig))
    assert overlapping_texts(fig) == []


# ---------------------------------------------------------------------------- comparisons
@pytest.fixture(scope="module")
def short_horizon() -> dict[str, list[dict[str, Any]]]:
    """Six seeds with a 24-week horizon: some runs and companies are censored."""
    spec = load_scenario(WGA, ["horizon=24"])
    return run_modes(spec, MODES, range(6))


def test_settlement_curves_are_scipys_kaplan_meier(short_horizon) -> None:
    fig = plots.settlement_figure(short_horizon)
    horizon = 24.0
    weeks = np.arange(0, 25, dtype=float)
    censored_runs = 0
    early = 0  # share-weighted weeks censored before the horizon
    for i, (panel, what) in enumerate((("industry", "runs"), ("weighted", "runs"),
                                       ("companies", "companies"), ("writers", "runs"))):
        ax = fig.axes[i]
        steps = {line.get_label().split(" (")[0]: line for line in ax.get_lines()
                 if line.get_drawstyle() == "steps-post"}
        assert set(steps) == set(MODES)
        for mode, recs in short_horizon.items():
            censor_at = [horizon]
            if panel == "weighted":
                t = np.array([r["weighted_settlement_step"] for r in recs])
                e = np.array([r["writers_back"] for r in recs])
                at = np.unique([0.0, horizon, *t])  # every time the curve may step
                data = stats.CensoredData(uncensored=t[e], right=t[~e])
                expected_at = stats.ecdf(data).cdf.evaluate(at)
                np.testing.assert_allclose(steps[mode].get_xdata(), at)
                np.testing.assert_allclose(steps[mode].get_ydata(), expected_at, atol=1e-12)
                n_censored = int((~e).sum())
                censor_at = sorted(set(t[~e]))
                early += int((t[~e] < horizon).sum())
                times = t
            elif panel == "industry":
                times = [r["settlement_step"] for r in recs]
            elif panel == "companies":
                times = [c["settlement_step"] for r in recs for c in r["companies"].values()]
            if panel in ("industry", "companies"):
                t = np.array([np.inf if v is None else v for v in times], dtype=float)
                data = stats.CensoredData(uncensored=t[np.isfinite(t)],
                                          right=np.full(int(np.isinf(t).sum()), horizon))
                expected = stats.ecdf(data).cdf.evaluate(weeks)
                n_censored = int(np.isinf(t).sum())
                censored_runs += n_censored if panel == "industry" else 0
            else:
                padded = [np.concatenate([r["writers_back_share"],
                                          np.full(25 - len(r["writers_back_share"]),
                                                  r["writers_back_share"][-1])])
                          for r in recs]
                expected = np.mean(padded, axis=0)
                n_censored = sum(r["writers_back_share"][-1] < 1 for r in recs)
            if panel != "weighted":
                np.testing.assert_allclose(steps[mode].get_ydata(), expected, atol=1e-12)
            label = steps[mode].get_label()
            assert f"({n_censored} of {len(times) if panel == 'companies' else 6} {what}" in label
            marks = [line for line in ax.get_lines() if line.get_marker() == "+"
                     and line.get_color() == steps[mode].get_color()]
            assert len(marks) == (1 if n_censored else 0)
            if marks:  # at each censoring time, on the curve
                np.testing.assert_allclose(marks[0].get_xdata(), censor_at)
                if panel != "weighted":
                    assert marks[0].get_ydata()[0] == pytest.approx(expected[-1])
        assert ax.get_xlabel() == "week of strike"
    assert censored_runs > 0 and early > 0  # the test exercises censoring, early too
    assert "Kaplan-Meier" in fig.axes[0].get_ylabel()
    assert fig.axes[0].get_title(loc="left").startswith("last deal (industry back)")
    assert fig.axes[1].get_title(loc="left").startswith("share-weighted week (writers back)")
    assert overlapping_texts(fig) == []


def test_settlement_bands_contain_the_curve(short_horizon) -> None:
    curves = plots.settlement_curves(short_horizon)
    for panel in curves.values():
        for c in panel.values():
            assert np.all(c["low"] <= c["estimate"] + 1e-12)
            assert np.all(c["estimate"] <= c["high"] + 1e-12)
            assert np.all((c["low"] >= 0) & (c["high"] <= 1))
    spec = load_scenario(WGA, ["horizon=24"])
    again = plots.settlement_curves(run_modes(spec, MODES, range(6)))
    for panel, modes in curves.items():
        for mode, c in modes.items():
            np.testing.assert_array_equal(c["low"], again[panel][mode]["low"])


def test_terms_points_are_every_signed_term_and_modes_are_named(short_horizon) -> None:
    spec = load_scenario(WGA)
    units, _ = plots.issue_axes(spec)
    fig = plots.terms_figure(short_horizon, units)
    lines = lines_by_label(fig)
    for mode, recs in short_horizon.items():
        for issue in spec.issues:
            expected = [c["terms"][issue] for r in recs for c in r["companies"].values()
                        if c["terms"] is not None]
            got = lines[f"{issue}:{mode}"].get_ydata()
            np.testing.assert_array_equal(got, expected)
        weeks = [r["settlement_step"] for r in recs if r["settlement_step"] is not None]
        if weeks:
            np.testing.assert_array_equal(lines[f"last deal:{mode}"].get_ydata(), weeks)
        weighted = [r["weighted_settlement_step"] for r in recs if r["writers_back"]]
        if weighted:
            np.testing.assert_array_equal(lines[f"share-weighted week:{mode}"].get_ydata(),
                                          weighted)
        np.testing.assert_array_equal(lines[f"union utility:{mode}"].get_ydata(),
                                      [r["union_utility"] for r in recs
                                       if r["union_utility"] is not None])
    by_title = {ax.get_title(loc="left"): ax for ax in fig.axes}
    for name, issue in spec.issues.items():
        assert by_title[name].get_ylabel().replace("\n", " ") == issue.unit
        assert [t.get_text() for t in by_title[name].get_xticklabels()] == list(MODES)
    assert by_title["last deal"].get_ylabel() == "week of the last deal (industry back)"
    assert by_title["share-weighted week"].get_ylabel() == "share-weighted week (writers back)"
    for mode in MODES:  # the censored runs are counted under each mode's name
        n = sum(not r["writers_back"] for r in short_horizon[mode])
        assert f"{mode}\n({n} cens.)" in [
            t.get_text() for t in by_title["share-weighted week"].get_xticklabels()]
    assert set(MODES) <= set(legend_texts(fig))
    assert overlapping_texts(fig) == []


def test_plots_module_does_not_use_pyplot() -> None:
    code = textwrap.dedent("""
        import sys
        from bargainsim import plots, cli
        print("matplotlib.pyplot" in sys.modules)
    """)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.strip() == "False"


# ---------------------------------------------------------------------------- CLI
@pytest.mark.parametrize("suffix", [".png", ".svg", ".pdf"])
def test_plot_run_writes_each_format(tmp_path: Path, suffix: str) -> None:
    target = tmp_path / f"run{suffix}"
    argv = ["plot", "run", str(WGA), "--mode", "pattern", "--seed", "2", "--set",
            "talks.first_week=3"]
    assert main([*argv, "-o", str(target)]) == 0
    assert target.read_bytes().startswith(MAGIC[suffix])
    again = tmp_path / f"again{suffix}"
    assert main([*argv, "-o", str(again)]) == 0
    assert again.read_bytes() == target.read_bytes()


def test_compare_writes_both_figures(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    curves, terms = tmp_path / "settle.svg", tmp_path / "terms.pdf"
    code = main(["compare", str(FARATIN), "--seeds", "3", "--modes", "separate,coalition",
                 "--plot", str(curves), "--plot-terms", str(terms)])
    assert code == 0, capsys.readouterr().err
    assert curves.read_bytes().startswith(MAGIC[".svg"])
    assert terms.read_bytes().startswith(MAGIC[".pdf"])


def rejected(capsys: pytest.CaptureFixture[str], argv: list[str], *needles: str) -> None:
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "Traceback" not in err
    for needle in needles:
        assert needle in err, err


@pytest.mark.parametrize("name", ["out.jpg", "out", "out.PNG.txt"])
def test_unknown_suffix_is_refused_naming_the_option(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], name: str
) -> None:
    target = str(tmp_path / name)
    rejected(capsys, ["plot", "run", str(FARATIN), "-o", target], "--output", target,
             ".png, .svg or .pdf")
    rejected(capsys, ["compare", str(FARATIN), "--seeds", "2", "--plot", target], "--plot",
             target)
    rejected(capsys, ["compare", str(FARATIN), "--seeds", "2", "--plot-terms", target],
             "--plot-terms", target)


def test_unwritable_paths_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    missing = str(tmp_path / "no" / "such" / "fig.png")
    rejected(capsys, ["plot", "run", str(FARATIN), "-o", missing], "--output", missing,
             "cannot write")
    folder = tmp_path / "dir.png"
    folder.mkdir()
    rejected(capsys, ["compare", str(FARATIN), "--seeds", "2", "--plot", str(folder)],
             "--plot", "cannot write")


def test_write_failure_is_reported(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: Any, **kwargs: Any) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(Figure, "savefig", refuse)
    target = str(tmp_path / "fig.pdf")
    rejected(capsys, ["plot", "run", str(FARATIN), "-o", target], "--output", target,
             "Permission denied")


def test_continuous_clock_has_no_trajectory(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    rejected(capsys, ["plot", "run", str(ATTRITION), "-o", str(tmp_path / "a.png")],
             str(ATTRITION), "protocol.clock", "continuous")


def test_the_overlap_check_finds_overlapping_text() -> None:
    fig = Figure(figsize=(4, 3))
    ax = fig.add_subplot()
    ax.set_title("a long title over the axes")
    ax.text(0.5, 1.02, "clashing note", transform=ax.transAxes, ha="center")
    pairs = {frozenset(pair) for pair in overlapping_texts(fig)}
    assert frozenset({"a long title over the axes", "clashing note"}) in pairs


# ---------------------------------------------------------------------------- sweeps
GRID = """\
name: grid
parameters:
  industry.streamer_share: {values: [0.2, 0.6]}
  coalition.rule: {values: [hardest_line, share_weighted]}
  talks.breakdown_probability: {values: [0.2, 0.8]}
modes: [coalition, separate]
seeds: 3
"""
LHS = """\
name: lhs
parameters:
  industry.streamer_share: {min: 0.1, max: 0.7}
  industry.model_spread: {min: 0.0, max: 1.0}
design: {kind: lhs, samples: 4, seed: 7}
modes: [coalition, separate]
seeds: 2
"""


def swept(tmp_path_factory: pytest.TempPathFactory, text: str) -> Path:
    from bargainsim.experiments.design import load_experiment
    from bargainsim.experiments.sweep import run_sweep

    folder = tmp_path_factory.mktemp("sweep")
    path = folder / "exp.yaml"
    path.write_text(f"scenario: {WGA}\n" + text)
    run_sweep(load_experiment(path), folder / "out")
    return folder / "out"


@pytest.fixture(scope="module")
def grid_sweep(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Any]]:
    from bargainsim.experiments.summary import summarize

    out = swept(tmp_path_factory, GRID)
    return out, summarize(out)


def expected_difference(point: dict[str, Any], a: str, b: str,
                        median: str = "median_settlement_step") -> float | None:
    meds = {m: point["modes"][m][median] for m in (a, b)}
    return None if None in meds.values() else meds[a] - meds[b]


@pytest.mark.parametrize("modes", [("coalition", "separate"), ("separate", "coalition")])
def test_sweep_map_cells_are_the_median_differences(grid_sweep, modes) -> None:
    """A panel per measure: cells are the medians' differences, hatched where not clear."""
    from bargainsim.experiments.compare import TESTED
    from bargainsim.plots.sweep import difference_map

    _, summary = grid_sweep
    at = ["talks.breakdown_probability=0.2"]
    fig = difference_map(summary, "industry.streamer_share", "coalition.rule", modes, at)
    points = [p for p in summary["points"] if p["values"]["talks.breakdown_probability"] == 0.2]
    assert len(fig.axes) == 3  # two panels and the colour bar they share
    differs = 0
    for ax, tested in zip(fig.axes[:2], TESTED, strict=True):
        mesh = ax.collections[0]
        cells = np.ma.filled(mesh.get_array(), np.nan).reshape(2, 2)
        hatched = 0
        for p in points:
            i = ["hardest_line", "share_weighted"].index(p["values"]["coalition.rule"])
            j = [0.2, 0.6].index(p["values"]["industry.streamer_share"])
            want = expected_difference(p, *modes, tested.median)
            if want is None:
                assert np.isnan(cells[i, j])
            else:
                assert cells[i, j] == pytest.approx(want)
            differs += want != expected_difference(p, *modes)
            hatched += not any(c["sooner"] for c in p[f"comparisons{tested.suffix}"])
        assert sum(1 for patch in ax.patches if patch.get_hatch()) == hatched
        assert ax.get_title(loc="left") == f"{tested.title()}: {modes[0]} minus {modes[1]}"
        assert mesh.norm is fig.axes[0].collections[0].norm  # one colour scale
        assert ax.get_xlabel() == "industry.streamer_share"
        assert ax.get_ylabel() == "coalition.rule"
        assert [t.get_text() for t in ax.get_yticklabels()] == ["hardest_line",
                                                                 "share_weighted"]
    assert differs  # the two panels show different numbers
    norm = fig.axes[0].collections[0].norm
    assert norm.vcenter == 0 and norm.vmin == -norm.vmax
    assert f"{modes[0]} minus {modes[1]}" in fig.axes[2].get_ylabel()
    assert overlapping_texts(fig) == []
    one = difference_map(summary, "industry.streamer_share", "coalition.rule", modes, at,
                         measure="weighted")
    assert len(one.axes) == 2 and one.axes[0].get_title(loc="left").startswith(
        "share-weighted week (writers back)")


def test_sweep_line_is_each_modes_median(grid_sweep) -> None:
    from bargainsim.experiments.compare import TESTED
    from bargainsim.plots.sweep import settlement_by_parameter

    _, summary = grid_sweep
    at = ["coalition.rule=share_weighted", "industry.streamer_share=0.6"]
    fig = settlement_by_parameter(summary, "talks.breakdown_probability", None, at)
    points = sorted((p for p in summary["points"]
                     if p["values"]["coalition.rule"] == "share_weighted"
                     and p["values"]["industry.streamer_share"] == 0.6),
                    key=lambda p: p["values"]["talks.breakdown_probability"])
    for ax, tested in zip(fig.axes, TESTED, strict=True):
        lines = {line.get_label().split(" (")[0]: line for line in ax.get_lines()}
        for mode in ("coalition", "separate"):
            want = [np.nan if p["modes"][mode][tested.median] is None
                    else p["modes"][mode][tested.median] for p in points]
            np.testing.assert_array_equal(lines[mode].get_ydata(), want)
            np.testing.assert_array_equal(lines[mode].get_xdata(), [0.2, 0.8])
        assert ax.get_title(loc="left") == tested.title()
        assert ax.get_xlabel() == "talks.breakdown_probability"
    assert {"coalition", "separate"} <= {t.split(" (")[0] for t in legend_texts(fig)}
    assert "median week" in fig.axes[0].get_ylabel()
    assert overlapping_texts(fig) == []


def test_sweep_lhs_map_is_a_scatter_at_the_points(tmp_path_factory) -> None:
    from bargainsim.experiments.summary import summarize
    from bargainsim.plots.sweep import difference_map

    summary = summarize(swept(tmp_path_factory, LHS))
    fig = difference_map(summary, "industry.streamer_share", "industry.model_spread")
    offsets = np.vstack([c.get_offsets() for c in fig.axes[0].collections])
    want = [(p["values"]["industry.streamer_share"], p["values"]["industry.model_spread"])
            for p in summary["points"]]
    assert sorted(map(tuple, offsets.tolist())) == sorted(want)


def test_plot_sweep_cli_writes_and_refuses(grid_sweep, tmp_path: Path,
                                           capsys: pytest.CaptureFixture[str]) -> None:
    out, _ = grid_sweep
    target = tmp_path / "map.svg"
    argv = ["plot", "sweep", str(out), "--x", "industry.streamer_share", "--y",
            "coalition.rule", "--at", "talks.breakdown_probability=0.8"]
    assert main([*argv, "-o", str(target)]) == 0
    assert target.read_bytes().startswith(MAGIC[".svg"])
    rejected(capsys, [*argv[:-2], "-o", str(target)], "--x", "talks.breakdown_probability",
             "--at")
    rejected(capsys, ["plot", "sweep", str(out), "--x", "nope", "-o", str(target)], "--x",
             "nope", "industry.streamer_share")
    rejected(capsys, [*argv, "--modes", "coalition", "-o", str(target)], "--modes",
             "exactly 2")
    rejected(capsys, [*argv, "-o", str(tmp_path / "map.gif")], "--output", ".gif")
    rejected(capsys, ["plot", "sweep", str(tmp_path / "none"), "--x", "a", "-o",
                      str(target)], "no such folder")
    with pytest.raises(SystemExit) as exc:
        main([*argv, "--measure", "fastest", "-o", str(target)])
    assert exc.value.code == 2 and "--measure: invalid choice: 'fastest'" in (
        capsys.readouterr().err)
    assert main([*argv, "--measure", "last-deal", "-o", str(target)]) == 0


def test_the_overlap_check_finds_text_cut_by_the_edge() -> None:
    fig = Figure(figsize=(3, 2))
    fig.add_subplot().set_title("a title far too long to fit in a figure three inches wide")
    assert ("<figure edge>", "a title far too long to fit in a figure three inches wide") in (
        overlapping_texts(fig))


def test_compare_refuses_one_file_for_both_figures(tmp_path):
    target = str(tmp_path / "both.png")
    proc = subprocess.run([sys.executable, "-m", "bargainsim", "compare", str(WGA), "--seeds", "2",
                           "--plot", target, "--plot-terms", target],
                          capture_output=True, text=True, timeout=300)
    assert proc.returncode == 2 and "is also the --plot file" in proc.stderr
    assert "Traceback" not in proc.stderr

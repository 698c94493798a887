"""The `bargainsim` command: a thin layer over functions a user can import.

Bad input (a file, a field, an argument) prints what and where on stderr and exits 2,
never with a traceback.
"""

from __future__ import annotations

import argparse
import csv
import dataclasses
import json
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bargainsim.errors import InputError, Problem

logger = logging.getLogger("bargainsim")

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
SHIPPED = "a shipped scenario's name (wga_2023, classroom/faratin; bargainsim scenarios lists them)"


class _Parser(argparse.ArgumentParser):
    """argparse that reports errors as `bargainsim: error: ...` with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        self.print_usage(sys.stderr)
        self.exit(EXIT_USAGE, f"{self.prog}: error: {message}\n")


def _seed(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"seed must be a whole number, got {text!r}") from None
    if not 0 <= value < 2**63:
        raise argparse.ArgumentTypeError(f"seed must be between 0 and 2**63-1, got {value}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a number of at least 1, got {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value < 1e9:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _share(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, got {text!r}") from None
    if not 0 < value <= 1:
        raise argparse.ArgumentTypeError(f"expected a share in (0, 1], got {text!r}")
    return value


def _sweep_options(p: argparse.ArgumentParser) -> None:
    """Options of commands that run an experiment into a results folder (sweep, sensitivity)."""
    _runner_options(p)
    p.add_argument("--flush-every", type=_positive_float, default=5.0, metavar="SECONDS",
                   help="write finished rows to disk at least this often (default 5)")


def _runner_options(p: argparse.ArgumentParser) -> None:
    """Workers, executor, results folder and resuming (sweep, sensitivity, calibrate)."""
    p.add_argument("--workers", type=_positive_int, default=os.cpu_count() or 1,
                   help="worker processes (default: every core, here %(default)s)")
    p.add_argument("--executor", choices=("process", "dask"), default="process",
                   help="local process pool (default) or a Dask distributed cluster")
    p.add_argument("--address", metavar="ADDR",
                   help="Dask scheduler address (default: start a LocalCluster)")
    p.add_argument("--out", metavar="DIR",
                   help="results folder (default: results/NAME)")
    p.add_argument("--resume", action="store_true",
                   help="run only what the results folder lacks (calibrate: continue from the "
                   "last finished generation)")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"port must be a whole number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port must be between 0 and 65535, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser for every subcommand."""
    from bargainsim.evidence.commands import add_parsers, add_posterior_option
    from bargainsim.scenario import MODES

    parser = _Parser(
        prog="bargainsim",
        description="Simulate multi-party bargaining: a writers' union against studios and "
        "streamers, in coalition or separately.",
    )
    parser.add_argument("-v", "--verbose", action="store_true", help="log progress to stderr")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)

    p = sub.add_parser("validate",
                       help="check scenario and experiment files; exit 2 if any is invalid")
    p.add_argument("files", nargs="+", metavar="FILE", help=f"a file or {SHIPPED}")

    p = sub.add_parser("run", help="simulate one scenario with one seed")
    p.add_argument("file", metavar="SCENARIO", help=f"a scenario file or {SHIPPED}")
    p.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    p.add_argument("--mode", choices=MODES, help="bargaining mode (default: the scenario's)")
    p.add_argument("--set", dest="overrides", action="append", default=[],
                   metavar="KEY.PATH=VALUE", help="override a scenario value (repeatable)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--trace", metavar="FILE.csv", help="write the weekly trace to a CSV file")
    add_posterior_option(p)

    p = sub.add_parser(
        "compare", help="compare bargaining modes over common seeds, by the last deal and by "
        "the share-weighted week",
        description="Every mode over the same seeds. Two measures of when the strike ends, "
        "each with Kaplan-Meier figures (censored runs kept), pairwise tests and a verdict "
        "built from them: the last deal (industry back: the week the last company settled; "
        "JSON keys comparisons, verdict) and the share-weighted week (writers back: "
        "companies' back weeks weighted by starting market share; comparisons_weighted, "
        "verdict_weighted).")
    p.add_argument("file", metavar="SCENARIO", help=f"a scenario file or {SHIPPED}")
    p.add_argument("--modes", type=_modes, default=list(MODES),
                   help="comma-separated modes (default: all four)")
    p.add_argument("--seeds", type=_positive_int, default=200, help="seeds per mode (default 200)")
    p.add_argument("--workers", type=_positive_int, default=1, help="processes (default 1)")
    p.add_argument("--set", dest="overrides", action="append", default=[],
                   metavar="KEY.PATH=VALUE", help="override a scenario value (repeatable)")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--out", metavar="DIR", help="also write comparison.json and runs.jsonl here")
    p.add_argument("--plot", metavar="FILE",
                   help="draw settlement curves by mode (.png, .svg or .pdf)")
    p.add_argument("--plot-terms", metavar="FILE",
                   help="draw speed and terms by mode for the same runs (.png, .svg or .pdf)")
    add_posterior_option(p)

    p = sub.add_parser("plot", help="draw a figure (PNG, SVG or PDF by the file's suffix)")
    kinds = p.add_subparsers(dest="figure", required=True, parser_class=_Parser)
    q = kinds.add_parser("run", help="one run: offers per issue over the weeks, deals marked")
    q.add_argument("file", metavar="SCENARIO", help=f"a scenario file or {SHIPPED}")
    q.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    q.add_argument("--mode", choices=MODES, help="bargaining mode (default: the scenario's)")
    q.add_argument("--set", dest="overrides", action="append", default=[],
                   metavar="KEY.PATH=VALUE", help="override a scenario value (repeatable)")
    q.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="the figure file: .png, .svg or .pdf")
    q = kinds.add_parser("sweep", help="a sweep: where each mode settles sooner, a panel per "
                         "measure (last deal, share-weighted week)")
    q.add_argument("folder", metavar="DIR", help="a results folder written by sweep")
    q.add_argument("--x", required=True, metavar="PARAM", help="parameter on the x axis")
    q.add_argument("--y", metavar="PARAM",
                   help="parameter on the y axis: a map of the median difference A minus B")
    q.add_argument("--modes", type=_modes,
                   help="A,B for a map (default: the sweep's first two); modes to draw over --x")
    q.add_argument("--at", action="append", default=[], metavar="PARAM=VALUE",
                   help="keep the points with this value of another parameter (repeatable)")
    q.add_argument("--measure", choices=("both", "last-deal", "weighted"), default="both",
                   help="a panel per measure (default both): the last deal (industry back) "
                   "and the share-weighted week (writers back)")
    q.add_argument("-o", "--output", required=True, metavar="FILE",
                   help="the figure file: .png, .svg or .pdf")

    p = sub.add_parser("sweep", help="run an experiment: parameters x modes x seeds, to Parquet")
    p.add_argument("file", metavar="EXPERIMENT",
                   help="an experiment file or a shipped experiment's name "
                   "(coalition_vs_separate; bargainsim scenarios lists them)")
    _sweep_options(p)
    p.add_argument("--csv", action="store_true", help="also write DIR/results.csv at the end")
    add_posterior_option(p)

    p = sub.add_parser("summarize", help="per point of a sweep: median per mode and which is "
                       "sooner, by the last deal and by the share-weighted week")
    p.add_argument("folder", metavar="DIR")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser(
        "sensitivity", help="Morris or Sobol indices of mode A minus mode B (SALib): which "
        "parameters move the answer",
        description="Runs a Morris or Sobol experiment as sweep does (Parquet shards, "
        "--resume), then, per design point over its common seeds, takes mode A minus mode B: "
        "the Kaplan-Meier medians of the last deal and of the share-weighted week, the means "
        "of union utility and deadweight loss; and gives each parameter's indices with 95% "
        "bootstrap intervals. Writes DIR/sensitivity.json and DIR/sensitivity.png.")
    p.add_argument("file", metavar="EXPERIMENT",
                   help="an experiment file with a morris or sobol design, or a shipped "
                   "experiment's name (sensitivity_morris, sensitivity_sobol)")
    _sweep_options(p)
    p.add_argument("--json", action="store_true", help="print one JSON object")
    p.add_argument("--plot", metavar="FILE",
                   help="the figure (.png, .svg or .pdf; default DIR/sensitivity.png)")

    p = sub.add_parser(
        "discover", help="scenario discovery over a sweep's results: PRIM boxes of parameter "
        "space where each mode settles sooner",
        description="Per design point, whether B settles sooner than A and the reverse, by "
        "the last deal and by the share-weighted week (summarize's test); PRIM's peeling "
        "trajectory and one box per outcome (the box of most coverage with density at "
        "least --density), CART's leaves as a second view. Writes discovery.json and "
        "discovery.png (into RESULTS_DIR unless --out).")
    p.add_argument("folder", metavar="RESULTS_DIR", help="a sweep's results folder (a Latin "
                   "hypercube: bargainsim sweep lhs_industry)")
    p.add_argument("--modes", type=_modes, help="A,B: the two modes (default coalition,separate)")
    p.add_argument("--density", type=_share, default=0.8,
                   help="the chosen box's least density (default 0.8)")
    p.add_argument("--out", metavar="DIR", help="where discovery.json and discovery.png go "
                   "(default: RESULTS_DIR)")
    p.add_argument("--plot", metavar="FILE",
                   help="the figure (.png, .svg or .pdf; default DIR/discovery.png)")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    add_parsers(sub, _runner_options, _positive_int)  # calibrate, validate-history

    p = sub.add_parser(
        "play", help="play one side against the agents at the terminal",
        epilog="exit status: 0 game over, 2 bad input, 3 abandoned (q, end of input, Ctrl-C)",
    )
    p.add_argument("file", nargs="?", metavar="SCENARIO",
                   help=f"a scenario file or {SHIPPED} (not with --replay)")
    p.add_argument("--as", dest="side", metavar="union|COMPANY|coalition",
                   help="the side you play: union, a company's name, or the coalition "
                   "(with --replay: whose view to show, default the log's first seat)")
    p.add_argument("--replay", metavar="LOG", help="replay a game logged by `bargainsim "
                   "class` (JSON lines): the same scenario, seed and answers")
    p.add_argument("--mode", choices=MODES, help="bargaining mode (default: the scenario's)")
    p.add_argument("--seed", type=_seed, default=0, help="random seed (default 0)")
    p.add_argument("--set", dest="overrides", action="append", default=[],
                   metavar="KEY.PATH=VALUE", help="override a scenario value (repeatable)")

    p = sub.add_parser("demo", help="the Quickstart demonstration: compare every mode on "
                       "wga_2023")
    p.add_argument("--seeds", type=_positive_int, default=40)

    p = sub.add_parser("plugins", help="registered modes, tactics, outputs and statuses, "
                       "and their origin")
    p.add_argument("--json", action="store_true", help="print the listing as JSON")
    p.add_argument("--only", action="store_true", help="only what installed plugins add")

    p = sub.add_parser("scenarios", help="list the shipped scenarios and experiments; "
                       "`scenarios copy DIR` copies them for editing")
    actions = p.add_subparsers(dest="action", parser_class=_Parser)
    q = actions.add_parser("copy", help="copy the shipped files into DIR/scenarios and "
                           "DIR/experiments (never overwrites a file)")
    q.add_argument("folder", metavar="DIR")

    p = sub.add_parser("class", help="a class session: students play in the browser, the "
                       "teacher runs rounds (needs the [classroom] extra)")
    p.add_argument("file", nargs="?", metavar="CLASS.yaml",
                   help="a class file (default: the shipped lesson plan)")
    p.add_argument("--lan", action="store_true",
                   help="listen on the local network (default: this machine only)")
    p.add_argument("--port", type=_port, default=8770, help="port (default 8770; 0 = any free)")
    p.add_argument("--logs", metavar="DIR", help="where each table's moves are logged "
                   "(default: class-logs/<date-time>)")
    p.add_argument("--check", action="store_true",
                   help="validate the class file, print its rounds and exit")

    p = sub.add_parser("viz", help="the classroom app in a browser (Mesa model, Solara page)")
    p.add_argument("file", nargs="?", metavar="SCENARIO",
                   help=f"the scenario the page opens with: a file or {SHIPPED} "
                   "(default wga_2023)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1)")
    p.add_argument("--port", type=_port, default=8765, help="port (default 8765; 0 = any free)")
    return parser


def _fail(error: InputError) -> int:
    for problem in error.problems:
        print(problem.render(error.source), file=sys.stderr)
    return EXIT_USAGE


def _scenario(argument: str) -> str:
    """A scenario argument as a file: itself if it exists, else the shipped scenario so named."""
    from bargainsim import shipped

    return shipped.resolve(argument)


def cmd_validate(args: argparse.Namespace) -> int:
    """Validate each file; print `FILE: ok` or its problems."""
    from bargainsim import shipped
    from bargainsim.evidence.calibration_file import is_calibration, load_calibration
    from bargainsim.experiments.design import is_experiment, load_experiment
    from bargainsim.scenario import load_scenario

    status = EXIT_OK
    for name in args.files:
        try:
            path = shipped.resolve(name, shipped.KINDS)
            if is_calibration(path):
                setup = load_calibration(path)
                cal = setup.calibration
                print(f"{name}: ok (calibration: {len(cal.parameters)} parameters, "
                      f"{len(setup.strikes)} strikes)")
            elif is_experiment(path):
                plan = load_experiment(path)
                print(f"{name}: ok (experiment: {len(plan.points)} points x "
                      f"{len(plan.experiment.modes)} modes x {plan.experiment.seeds} seeds = "
                      f"{plan.total_runs:,} runs)")
            else:
                load_scenario(path)
                print(f"{name}: ok")
        except InputError as exc:
            _fail(exc)
            status = EXIT_USAGE
    return status


def _fmt(value: float | None, digits: int = 4) -> str:
    if value is None:
        return "-"
    return f"{value:.{digits}g}" if abs(value) < 1e4 else f"{value:,.0f}"


def summarize_run(rec: dict[str, Any]) -> str:
    """A readable summary of one run's record."""
    lines = [f"scenario {rec['scenario']}  mode {rec['mode']}  seed {rec['seed']}"]
    unit = {"move": "step", "week": "week", "continuous": "time"}[rec["clock"]]
    if rec["settled"]:
        when = (
            f"time {rec['settlement_time']:.3f} ({rec['conceded_by']} conceded)"
            if rec["clock"] == "continuous"
            else f"{unit} {rec['settlement_step']}"
        )
        lines.append(f"settled: every employer has a deal by {when} (last deal: industry back)")
    else:
        lines.append(f"not settled by the horizon ({rec['horizon']:g} {unit}s): the last deal "
                     "is censored")
    for deal in rec["deals"]:
        who = deal.get("coalition") or ", ".join(deal["parties"])
        covered = f" (covers {', '.join(deal['parties'])})" if deal.get("coalition") else ""
        terms = ", ".join(f"{k}={v:.4f}" for k, v in deal["terms"].items())
        when = f"time {deal['time']:.3f}" if "time" in deal else f"{unit} {deal['step']}"
        lines.append(f"  {when}: {who}{covered}: {terms}")
    if rec["clock"] == "week":
        lines.append("")
        lines.append(f"  {'company':<14}{'settled':>8}{'back':>6}{'status':>10}{'losses $M':>11}"
                     f"{'deal $M':>9}{'share':>7}")
        for name, c in rec["companies"].items():
            lines.append(
                f"  {name:<14}{_fmt(c['settlement_step']):>8}{_fmt(c['back_step']):>6}"
                f"{c['status']:>10}{c['losses']:>11.0f}{c['deal_cost']:>9.0f}"
                f"{c['market_share']:>7.3f}"
            )
        weighted = rec["weighted_settlement_step"]
        lines.append(
            f"share-weighted week (writers back): {weighted:.1f}" if rec["writers_back"] else
            f"share-weighted week (writers back): censored, at least {weighted:.1f} (a company "
            "never back counts at the horizon)")
        lines.append(
            f"union utility {_fmt(rec['union_utility'], 3)}   writer-weeks lost "
            f"{rec['writer_weeks_lost']:,.0f}   deadweight loss ${rec['deadweight_loss']:,.0f}M"
        )
        rejected = sum(1 for v in rec["ratification_votes"] if not v["passed"])
        if rejected:
            lines.append(f"members rejected {rejected} tentative deal(s)")
    return "\n".join(lines)


def write_trace(rows: list[dict[str, Any]], path: str) -> None:
    """Write trace rows to CSV (one row per step and party)."""
    fields: list[str] = []
    for row in rows:
        for key in row:
            if key not in fields:
                fields.append(key)
    with open(path, "w", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=fields)
        writer.writeheader()
        writer.writerows(rows)


def cmd_run(args: argparse.Namespace) -> int:
    """One simulation."""
    from bargainsim.evidence.commands import load_for, posterior_spec
    from bargainsim.model import BargainingModel
    from bargainsim.runner import record
    from bargainsim.scenario import load_scenario

    spec = load_scenario(_scenario(args.file), args.overrides)
    posterior = load_for(args)
    if posterior is not None:
        spec = posterior_spec(spec, posterior, args.seed, args.overrides)
    if args.trace and spec.protocol.clock == "continuous":
        raise InputError(args.file, [Problem(
            "protocol.clock", "a continuous-time (war of attrition) run has no weekly trace; "
            "drop --trace")])
    if args.trace:
        target = Path(args.trace)
        if target.is_dir() or not target.parent.is_dir():
            raise InputError("--trace", [Problem(args.trace, "cannot write a file there")])
    model = BargainingModel(spec, mode=args.mode, seed=args.seed, trace=bool(args.trace)).run()
    rec = record(model)
    if args.trace:
        assert model.trace_rows is not None
        try:
            write_trace(model.trace_rows, args.trace)
        except OSError as exc:
            problem = Problem(args.trace, f"cannot write: {exc.strerror}")
            raise InputError("--trace", [problem]) from None
    if args.json:
        print(json.dumps(rec))
    else:
        print(summarize_run(rec))
    return EXIT_OK


def _modes(text: str) -> list[str]:
    from bargainsim.scenario import MODES

    modes = [m.strip() for m in text.split(",") if m.strip()]
    bad = [m for m in modes if m not in MODES]
    if bad or not modes:
        raise argparse.ArgumentTypeError(
            f"unknown mode(s) {', '.join(bad) or '(none)'}; choose from {', '.join(MODES)}"
        )
    if len(set(modes)) != len(modes):
        raise argparse.ArgumentTypeError("each mode may be named once")
    return modes


def cmd_compare(args: argparse.Namespace) -> int:
    """Every mode over the same seeds: a table, pairwise tests and a verdict."""
    from bargainsim.experiments.compare import compare, format_table, run_modes
    from bargainsim.scenario import load_scenario

    spec = load_scenario(_scenario(args.file), args.overrides)
    if args.out:
        out = Path(args.out)
        if out.exists() and not out.is_dir():
            raise InputError("--out", [Problem(args.out, "exists and is not a directory")])
    figures = [(option, path) for option, path in (("--plot", args.plot),
                                                   ("--plot-terms", args.plot_terms)) if path]
    if figures and spec.protocol.clock == "continuous":
        raise InputError(args.file, [Problem(
            "protocol.clock", f"{figures[0][0]} draws settlement by week and terms by mode; "
            "a war of attrition (clock: continuous) settles at a real-valued time with one "
            "side's demand: compare's table reports it")])
    if figures:
        from bargainsim import plots

        for option, path in figures:
            plots.check_output(path, option)
        if len(figures) == 2 and Path(args.plot).resolve() == Path(args.plot_terms).resolve():
            raise InputError("--plot-terms", [Problem(
                args.plot_terms, "is also the --plot file; give each figure its own file")])
    from bargainsim.evidence.commands import for_compare, set_keys

    posterior = for_compare(args, spec)  # checked before any run
    records = run_modes(spec, args.modes, range(args.seeds), workers=args.workers,
                        posterior=posterior, fixed=set_keys(args.overrides))
    result = compare(records, spec.name)
    for option, path in figures:
        units, _ = plots.issue_axes(spec)
        fig = (plots.settlement_figure(records) if option == "--plot"
               else plots.terms_figure(records, units))
        plots.save_figure(fig, path, option)
    if args.out:
        out.mkdir(parents=True, exist_ok=True)
        (out / "comparison.json").write_text(json.dumps(result, indent=2) + "\n")
        with open(out / "runs.jsonl", "w", encoding="utf-8") as fh:
            for mode in args.modes:
                for rec in records[mode]:
                    fh.write(json.dumps(rec) + "\n")
    print(json.dumps(result) if args.json else format_table(result))
    return EXIT_OK


def _start_experiment(args: argparse.Namespace, kinds: tuple[str, ...] = ()
                      ) -> tuple[Any, Path]:
    """The plan and results folder of a command that runs an experiment; says what it runs.

    `kinds`: the designs the command takes (any when empty).
    """
    from bargainsim import shipped
    from bargainsim.experiments.design import load_experiment

    if args.address and args.executor != "dask":
        raise InputError("--address", [Problem(args.address, "needs --executor dask")])
    source = shipped.resolve(args.file, ("experiment",))
    plan = load_experiment(source)
    kind = plan.experiment.design.kind
    if kinds and kind not in kinds:
        raise InputError(source, [Problem("design.kind", (
            f"bargainsim {args.command} needs a Morris or Sobol design, not {kind} (design: "
            "{kind: morris, trajectories: N} or {kind: sobol, samples: N}); shipped: "
            "sensitivity_morris, sensitivity_sobol"))])
    out = Path(args.out or Path("results") / plan.experiment.name)
    print(f"{plan.experiment.name}: {len(plan.points)} points x {len(plan.experiment.modes)} "
          f"modes x {plan.experiment.seeds} seeds = {plan.total_runs:,} runs -> {out}",
          file=sys.stderr)
    return plan, out


def _run_with_options(args: argparse.Namespace, run: Any, plan: Any, out: Path) -> Any:
    """`run(plan, out, ...)` with the command's workers, executor, resume and flush options."""
    return run(plan, out, workers=args.workers, kind=args.executor, address=args.address,
               resume=args.resume, flush_seconds=args.flush_every)


def _stopped(out: Path, exc: BaseException) -> int:
    """An experiment stopped by Ctrl-C (130) or a dead worker (1): how to finish it."""
    if isinstance(exc, KeyboardInterrupt):
        print(f"interrupted: finished rows are in {out}; run the same command with --resume "
              "to finish", file=sys.stderr)
        return 130
    print(f"a worker process died; finished rows are in {out}; run the same command "
          "with --resume to finish", file=sys.stderr)
    return EXIT_FAIL


def cmd_sweep(args: argparse.Namespace) -> int:
    """Run (or resume) an experiment; exit 1 when runs failed."""
    from concurrent.futures.process import BrokenProcessPool

    from bargainsim.experiments.storage import ResultStore
    from bargainsim.experiments.sweep import run_sweep

    plan, out = _start_experiment(args)
    from bargainsim.evidence.commands import check_sweep, load_for

    posterior = load_for(args)
    if posterior is not None:
        plan = dataclasses.replace(plan, posterior=posterior)
        check_sweep(plan)
    try:
        outcome = _run_with_options(args, run_sweep, plan, out)
    except (KeyboardInterrupt, BrokenProcessPool) as exc:
        return _stopped(out, exc)
    if outcome.skipped:
        print(f"resumed: {outcome.skipped:,} runs were already done", file=sys.stderr)
    print(f"{outcome.written:,} runs written to {out}/shards; {outcome.failed} failed",
          file=sys.stderr)
    if args.csv:
        rows = ResultStore(out).export_csv(out / "results.csv")
        print(f"{rows:,} rows exported to {out / 'results.csv'}", file=sys.stderr)
    if outcome.failed:
        print(f"{outcome.failed} run(s) failed: see the rows with status 'failed' "
              f"(bargainsim summarize {out})", file=sys.stderr)
        return EXIT_FAIL
    return EXIT_OK


def cmd_sensitivity(args: argparse.Namespace) -> int:
    """Run a Morris or Sobol experiment (resumable) and print each parameter's indices."""
    from concurrent.futures.process import BrokenProcessPool

    from bargainsim import plots

    if args.plot:
        plots.check_output(args.plot, "--plot")
    plan, out = _start_experiment(args, ("morris", "sobol"))
    from bargainsim.evidence.sensitivity import format_sensitivity, run_experiment
    from bargainsim.plots.sensitivity import sensitivity_figure

    try:
        result = _run_with_options(args, run_experiment, plan, out)
    except (KeyboardInterrupt, BrokenProcessPool) as exc:
        return _stopped(out, exc)
    return _report(args, out, "sensitivity", result, sensitivity_figure(result),
                   format_sensitivity)


def cmd_discover(args: argparse.Namespace) -> int:
    """PRIM boxes (and CART leaves) where each mode settles sooner, from a results folder."""
    from bargainsim import plots

    out = Path(args.out or args.folder)
    if args.out and (out.exists() and not out.is_dir()):
        raise InputError("--out", [Problem(args.out, "exists and is not a folder")])
    if args.plot:
        plots.check_output(args.plot, "--plot")
    from bargainsim.evidence.discovery import discover, format_discovery
    from bargainsim.plots.discovery import discovery_figure

    result = discover(args.folder, modes=args.modes, density=args.density)
    return _report(args, out, "discovery", result, discovery_figure(result), format_discovery)


def _report(args: argparse.Namespace, out: Path, name: str, result: dict[str, Any],
            figure: Any, text: Any) -> int:
    """Write OUT/NAME.json and the figure (--plot, else OUT/NAME.png); print text or JSON."""
    from bargainsim import plots

    path = args.plot or str(out / f"{name}.png")
    try:
        out.mkdir(parents=True, exist_ok=True)
        (out / f"{name}.json").write_text(json.dumps(result, indent=1) + "\n")
    except OSError as exc:
        raise InputError("--out", [Problem(str(out), f"cannot write {name}.json there: "
                                                     f"{exc.strerror}")]) from None
    plots.save_figure(figure, path, "--plot")
    print(f"wrote {out / f'{name}.json'} and {path}", file=sys.stderr)
    print(json.dumps(result) if args.json else text(result))
    return EXIT_OK


def cmd_summarize(args: argparse.Namespace) -> int:
    """Per point, the modes' medians and which mode is sooner."""
    from bargainsim.experiments.summary import format_summary, summarize

    folder = Path(args.folder)
    if folder.exists() and not folder.is_dir():
        raise InputError(args.folder, [Problem("", "is a file; give a sweep's results folder "
                                                   "(bargainsim sweep --out)")])
    if not folder.is_dir():
        raise InputError(args.folder, [Problem("", "no such folder")])
    summary = summarize(folder)
    print(json.dumps(summary) if args.json else format_summary(summary))
    return EXIT_OK


def cmd_plot(args: argparse.Namespace) -> int:
    """Draw one run's trajectory, or a sweep's map, to a PNG, SVG or PDF file."""
    from bargainsim import plots
    from bargainsim.scenario import load_scenario

    plots.check_output(args.output, "--output")
    if args.figure == "sweep":
        from bargainsim.experiments.summary import summarize
        from bargainsim.plots.sweep import sweep_figure

        if not Path(args.folder).is_dir():
            raise InputError(args.folder, [Problem("", "no such folder")])
        fig = sweep_figure(summarize(args.folder), args.x, args.y, args.modes, args.at,
                          args.measure)
        plots.save_figure(fig, args.output, "--output")
        return EXIT_OK
    spec = load_scenario(_scenario(args.file), args.overrides)
    if spec.protocol.clock == "continuous":
        problem = Problem("protocol.clock", "continuous-time runs (war of attrition) have no "
                          "trace to plot; plot run needs clock: move or week")
        raise InputError(args.file, [problem])
    plots.save_figure(plots.run_figure(spec, args.mode, args.seed), args.output, "--output")
    return EXIT_OK


def cmd_demo(args: argparse.Namespace) -> int:
    """Quickstart demonstration: every mode on the 2023 scenario over common seeds."""
    from bargainsim import shipped
    from bargainsim.experiments.compare import compare, format_table, run_modes
    from bargainsim.scenario import MODES, load_scenario

    path = shipped.scenario_path()
    spec = load_scenario(path)
    print(f"Comparing {', '.join(MODES)} on {path.name} over {args.seeds} seeds...")
    records = run_modes(spec, MODES, range(args.seeds))
    print(format_table(compare(records, spec.name)))
    print("\nOne run in detail (coalition, seed 0):")
    print(summarize_run(records["coalition"][0]))
    return EXIT_OK


def cmd_play(args: argparse.Namespace) -> int:
    """A terminal game: the student plays one side against the agents."""
    from bargainsim.game.play import play
    from bargainsim.scenario import load_scenario

    if args.replay is not None:
        return _replay(args)
    if args.file is None or args.side is None:
        raise InputError("play", [Problem("SCENARIO --as SIDE", "name a scenario and the "
                                          "side you play (or --replay LOG)")])
    spec = load_scenario(_scenario(args.file), args.overrides)
    return play(spec, args.side, mode=args.mode, seed=args.seed, source=args.file)


def _replay(args: argparse.Namespace) -> int:
    """`play --replay LOG`: a logged game at the terminal, from one seat's view."""
    import io

    from bargainsim.game.movelog import read_log
    from bargainsim.game.play import play
    from bargainsim.game.seated import BadAnswer, answer_text
    from bargainsim.scenario import MODES, load_scenario

    if args.file is not None or args.overrides or args.mode or args.seed:
        raise InputError("--replay", [Problem(args.replay, "the log names the scenario, "
                                              "overrides, mode and seed: give none of them")])
    log = read_log(args.replay)
    side = args.side or log.humans[0]
    if side not in log.humans:
        raise InputError("--as", [Problem(side, f"not a seat people played in {args.replay}; "
                                          f"choose one of {', '.join(log.humans)}")])
    if log.mode is not None and log.mode not in MODES:
        raise InputError(args.replay, [Problem("mode", f"unknown mode {log.mode!r}", 1)])
    spec = load_scenario(_scenario(log.scenario), log.overrides)
    typed = io.StringIO("".join(answer_text(a) + "\n" for a in log.answers[side]))
    others = {k: v for k, v in log.answers.items() if k != side}
    try:
        return play(spec, side, mode=log.mode, seed=log.seed,  # type: ignore[arg-type]
                    source=log.scenario, stdin=typed, others=others)
    except (BadAnswer, KeyError, TypeError) as exc:  # an answer the game cannot take
        raise InputError(args.replay, [Problem("move", str(exc).strip("'\""))]) from None


def cmd_viz(args: argparse.Namespace) -> int:
    """Serve the classroom app; print its local address."""
    from bargainsim.viz.server import main as serve

    return serve(args.file and _scenario(args.file), args.host, args.port)


def cmd_class(args: argparse.Namespace) -> int:
    """Serve a class session (or, with --check, validate the class file and list its rounds)."""
    import time

    from bargainsim.classroom.plan import load_class

    plan = load_class(args.file)
    if args.check:
        shown = args.file or "the shipped lesson plan"
        print(f"{shown}: ok ({plan.spec.title or plan.spec.name})")
        for r in plan.rounds:
            print(f"  round {r.index + 1}: {r.spec.name}: {r.spec.scenario}, mode {r.mode}, "
                  f"seed {r.spec.seed}, seating {r.spec.seating}")
        return EXIT_OK
    try:
        from bargainsim.classroom.server import serve
    except ImportError as exc:
        print(f"bargainsim class: {exc}; install the extra: pip install 'bargainsim[classroom]'",
              file=sys.stderr)
        return EXIT_USAGE
    logs = Path(args.logs) if args.logs else Path("class-logs") / time.strftime("%Y%m%d-%H%M%S")
    return serve(plan, lan=args.lan, port=args.port, logs=logs)


def cmd_scenarios(args: argparse.Namespace) -> int:
    """List the shipped scenarios and experiments, or copy them into a folder."""
    from bargainsim import shipped

    if args.action == "copy":
        written = shipped.copy_to(args.folder)
        folder = Path(args.folder)
        print(f"copied {len(written)} files into {folder / 'scenarios'} and "
              f"{folder / 'experiments'}; try: bargainsim run "
              f"{folder / 'scenarios' / 'wga_2023.yaml'}")
        return EXIT_OK
    print(shipped.format_catalog(shipped.catalog()))
    return EXIT_OK


def cmd_plugins(args: argparse.Namespace) -> int:
    """List the registered modes, tactics, outputs and statuses, and where each came from."""
    from bargainsim.plugins import format_listing, listing

    rows = listing()
    if args.only:
        rows = [r for r in rows if r["origin"] != "bargainsim"]
    print(json.dumps(rows, indent=2) if args.json else format_listing(rows, args.only))
    return EXIT_OK


def cmd_calibrate(args: argparse.Namespace) -> int:
    """ABC-SMC against the strikes' history (bargainsim.evidence.commands)."""
    from bargainsim.evidence.commands import cmd_calibrate as run

    return run(args)


def cmd_validate_history(args: argparse.Namespace) -> int:
    """Leave-one-out over the strikes (bargainsim.evidence.commands)."""
    from bargainsim.evidence.commands import cmd_validate_history as run

    return run(args)


COMMANDS = {
    "validate": cmd_validate,
    "calibrate": cmd_calibrate,
    "validate-history": cmd_validate_history,
    "run": cmd_run,
    "compare": cmd_compare,
    "sweep": cmd_sweep,
    "summarize": cmd_summarize,
    "sensitivity": cmd_sensitivity,
    "discover": cmd_discover,
    "demo": cmd_demo,
    "play": cmd_play,
    "plot": cmd_plot,
    "plugins": cmd_plugins,
    "viz": cmd_viz,
    "class": cmd_class,
    "scenarios": cmd_scenarios,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `bargainsim` console script."""
    from bargainsim.registry import RegistryError

    try:
        parser = build_parser()  # reads the registries: a broken plugin is reported here
    except RegistryError as exc:
        print(f"bargainsim: {exc}", file=sys.stderr)
        return EXIT_USAGE
    args = parser.parse_args(argv)
    logging.basicConfig(
        level=logging.DEBUG if args.verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )
    try:
        return COMMANDS[args.command](args)
    except InputError as exc:
        return _fail(exc)
    except RegistryError as exc:  # a plugin that cannot be loaded or registered
        print(f"bargainsim: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())

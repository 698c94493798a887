"""The command line of calibration: `calibrate`, `validate-history` and `--posterior`.

cli.py registers these and calls them; everything they do lives in the evidence modules
(`calibration`, `validation`, `posterior`).
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from bargainsim.errors import InputError, Problem

EXIT_OK, EXIT_FAIL, EXIT_USAGE = 0, 1, 2
POSTERIOR_HELP = ("a posterior written by bargainsim calibrate: seed i draws the same "
                  "parameter set in every mode (--set and varied parameters win)")


def add_posterior_option(p: argparse.ArgumentParser) -> None:
    """`--posterior FILE` for run, compare and sweep."""
    p.add_argument("--posterior", metavar="FILE", help=POSTERIOR_HELP)


def add_parsers(sub: Any, runner_options: Callable[[argparse.ArgumentParser], None],
                positive: Callable[[str], int]) -> None:
    """Register `calibrate` and `validate-history` (with cli's runner options and types)."""
    p = sub.add_parser(
        "calibrate", help="ABC-SMC (pyabc) of shared parameters against the strikes' history",
        description="Fits the parameters a calibration file declares, with their priors, to "
        "the history data set: every strike simulated from its own scenario. The same file "
        "and seed give the same posterior whatever --workers or --executor; the SQLite "
        "database keeps every finished generation (--resume continues). Writes "
        "DIR/posterior.yaml, which run, compare and sweep take with --posterior.")
    p.add_argument("file", metavar="CALIBRATION",
                   help="a calibration file or a shipped one's name (calibrate_history)")
    runner_options(p)
    _budget(p, positive)
    p.add_argument("--hold-out", metavar="STRIKE",
                   help="fit without this strike and report its posterior predictive length")
    p.add_argument("--draws", type=positive, default=200,
                   help="posterior predictive runs of the held-out strike (default 200)")
    p.add_argument("--json", action="store_true", help="print one JSON object")

    p = sub.add_parser(
        "validate-history", help="leave-one-out: fit without each strike in turn and check "
        "its length against the posterior predictive intervals",
        description="For every strike: calibrate without it (DIR/STRIKE, resumable), then "
        "print its actual length, the predicted median and the 80% and 95% intervals, and "
        "the coverage. Finished strikes are kept in DIR/validation.json; --resume runs "
        "only the rest.")
    p.add_argument("file", nargs="?", default="calibrate_history", metavar="CALIBRATION",
                   help="a calibration file or a shipped one's name (default "
                   "calibrate_history)")
    runner_options(p)
    _budget(p, positive)
    p.add_argument("--draws", type=positive, default=200,
                   help="posterior predictive runs per strike (default 200)")
    p.add_argument("--json", action="store_true", help="print one JSON object")


def _budget(p: argparse.ArgumentParser, positive: Callable[[str], int]) -> None:
    p.add_argument("--budget", type=positive, metavar="N",
                   help="particles per generation (default: the file's abc.population)")
    p.add_argument("--generations", type=positive, metavar="N",
                   help="generations (default: the file's abc.generations)")


def _setup(args: argparse.Namespace) -> Any:
    from bargainsim import shipped
    from bargainsim.evidence.calibration_file import load_calibration, with_budget

    if args.address and args.executor != "dask":
        raise InputError("--address", [Problem(args.address, "needs --executor dask")])
    setup = load_calibration(shipped.resolve(args.file, ("experiment",)))
    return with_budget(setup, args.budget, args.generations)


def cmd_calibrate(args: argparse.Namespace) -> int:
    """Run (or resume) a calibration; print the posterior (and a held-out prediction)."""
    from bargainsim.evidence.calibration import calibrate, summary_table
    from bargainsim.evidence.validation import predict

    setup = _setup(args)
    cal = setup.calibration
    name = cal.name + (f"-without-{args.hold_out}" if args.hold_out else "")
    out = Path(args.out or Path("results") / name)
    print(f"{cal.name}: {cal.abc.population} particles x {cal.abc.generations} generations, "
          f"{len(setup.strikes) - bool(args.hold_out)} strikes x {cal.seeds} seeds per "
          f"evaluation -> {out}", file=sys.stderr)
    try:
        fit = calibrate(setup, out, workers=args.workers, kind=args.executor,
                        address=args.address, resume=args.resume, hold_out=args.hold_out)
    except KeyboardInterrupt:
        print(f"interrupted: finished generations are in {out}; run the same command with "
              "--resume to continue", file=sys.stderr)
        return 130
    result: dict[str, Any] = {"posterior": str(fit.posterior), "generations": fit.generations,
                              "epsilons": fit.epsilons, "seconds": round(fit.seconds, 1),
                              "evaluations": fit.evaluations}
    text = summary_table(fit, setup)
    if args.hold_out:
        result["hold_out"] = predict(setup, args.hold_out, fit.values, fit.weights,
                                     args.draws, cal.abc.seed)
        h = result["hold_out"]
        text += (f"\nheld out {args.hold_out}: actual {h['actual']:.1f} weeks; predicted "
                 f"median {h['median']:.1f}, 80% interval {h['q10']:.0f}-{h['q90']:.0f}, "
                 f"95% interval {h['q025']:.0f}-{h['q975']:.0f} "
                 f"({'inside' if h['in95'] else 'outside'} the 95% interval)")
    print(f"wrote {fit.posterior} ({fit.seconds:.0f} s, {fit.evaluations} evaluations this "
          "session)", file=sys.stderr)
    print(json.dumps(result) if args.json else text)
    return EXIT_OK


def cmd_validate_history(args: argparse.Namespace) -> int:
    """Leave-one-out over the strikes: a table of actual lengths against the intervals."""
    from bargainsim.evidence.validation import coverage, format_table, validate_history

    setup = _setup(args)
    out = Path(args.out or Path("results") / "validate_history")
    if (out / "validation.json").exists() and not args.resume:
        raise InputError(str(out), [Problem("validation.json", (
            "a validation is already there; continue it with --resume, or choose another "
            "--out"))])
    cal = setup.calibration
    print(f"leave-one-out over {len(setup.strikes)} strikes: {cal.abc.population} particles "
          f"x {cal.abc.generations} generations each -> {out}", file=sys.stderr)

    def report(r: dict[str, Any]) -> None:
        print(f"{r['strike']}: actual {r['actual']:.1f}, median {r['median']:.1f}",
              file=sys.stderr)

    try:
        results = validate_history(setup, out, args.draws, report, workers=args.workers,
                                   kind=args.executor, address=args.address)
    except KeyboardInterrupt:
        print(f"interrupted: run the same command with --resume to continue ({out})",
              file=sys.stderr)
        return 130
    print(json.dumps({"strikes": results, "coverage": coverage(results)}) if args.json
          else format_table(results))
    return EXIT_OK


def load_for(args: argparse.Namespace) -> Any:
    """The --posterior file of a command, or None."""
    from bargainsim.evidence.posterior import load_posterior

    path = getattr(args, "posterior", None)
    if not path:
        return None
    if not Path(path).is_file():
        raise InputError("--posterior", [Problem(path, "no such file")])
    return load_posterior(path)


def announce(posterior: Any) -> None:
    """Say on stderr, once the posterior fits the scenario, where the parameters come from."""
    print(f"parameters drawn by seed from {posterior.source} ({len(posterior.values)} "
          f"particles of {posterior.file.posterior})", file=sys.stderr)


def for_compare(args: argparse.Namespace, spec: Any) -> Any:
    """The --posterior of compare, checked against its scenario and every seed's particle."""
    from bargainsim.scenario import dump

    posterior = load_for(args)
    if posterior is not None:
        doc = dump(spec)
        posterior.check(doc, spec.name)
        for index in posterior.groups(range(args.seeds)):
            posterior.document(doc, index, set_keys(args.overrides), spec.name)
        announce(posterior)
    return posterior


def check_sweep(plan: Any) -> None:
    """Refuse a posterior a sweep's scenario cannot take, before any run (file, key, line)."""
    post = plan.posterior
    post.check(plan.base, plan.source)
    doc = plan.document(0)
    for seeds in post.groups(plan.seeds).values():
        plan.seed_document(0, seeds[0], doc)
    announce(post)


def set_keys(overrides: Sequence[str]) -> list[str]:
    """The dotted paths `--set KEY=VALUE` fixes."""
    return [item.partition("=")[0].strip() for item in overrides]


def posterior_spec(spec: Any, posterior: Any, seed: int, overrides: Sequence[str]) -> Any:
    """The scenario of one seed under a posterior (the seed's particle; --set kept)."""
    from bargainsim.scenario import dump, scenario_from_dict

    doc = dump(spec)
    posterior.check(doc, spec.name)
    out = posterior.document(doc, posterior.draw_index(seed), set_keys(overrides), spec.name)
    announce(posterior)
    return scenario_from_dict(out, spec.name)


"""Discrete issues (`issues.<name>.step`) and the engine's caches.

Discrete issues: every offer lies on an allowed value, rounded in the offerer's favour and
never past either opening; the pair benchmark's agreement matches a direct computation of
Faratin's tactics on the grid; bad steps and off-grid openings are input errors (exit 2).
Caches: remembered concession paths, utilities and resolved business models give what a
fresh computation gives, and follow a replaced opening.
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bargainsim.cli import main
from bargainsim.model import BargainingModel
from bargainsim.packages import ConcessionPath, IssueSpace, concede, utilities, utility
from bargainsim.prepare import resolve_companies, resolved_business
from bargainsim.runner import run
from bargainsim.scenario import load_scenario
from bargainsim.tactics import TimeDependent

ROOT = Path(__file__).resolve().parents[1]
PAIR = ROOT / "benchmarks" / "pair.yaml"
WGA = ROOT / "scenarios" / "wga_2023.yaml"


# --------------------------------------------------------------------------- discrete issues


def test_every_offer_of_the_pair_lies_on_an_allowed_value() -> None:
    model = BargainingModel(load_scenario(PAIR), trace=True).run()
    offers = [r["offer.wage"] for r in model.trace_rows if r["offer.wage"] is not None]
    assert len(offers) > 100
    assert all(abs(v - round(v)) < 1e-9 for v in offers)


def _grid_faratin(spec_path: Path) -> tuple[int | None, float | None]:
    """Faratin's tactics on a grid of integers, computed directly (the test's oracle)."""
    spec = load_scenario(spec_path)
    issue = spec.issues["wage"]
    hi = issue.max
    side = {}
    for name, wants_high in (("union", True), ("studio", False)):
        p = spec.parties[name]
        assert isinstance(p.tactic, TimeDependent) and p.opening and p.limit
        side[name] = (p.tactic, p.opening["wage"], p.limit["wage"], wants_high)

    def offer(name: str, t: int) -> float:
        tactic, opening, limit, up = side[name]
        value = opening + tactic.concession(float(t)) * (limit - opening)
        return float(math.ceil(value - 1e-7) if up else math.floor(value + 1e-7))

    def worth(name: str, value: float) -> float:
        return value / hi if side[name][3] else 1.0 - value / hi

    standing = None
    movers = ["union", "studio"]
    for t in range(int(spec.horizon)):
        mover = movers[t % 2]
        own = offer(mover, t)
        if standing is not None and worth(mover, standing) + 1e-9 >= worth(mover, own):
            return t, standing
        standing = own
    return None, None


def test_pair_agreement_matches_a_direct_computation() -> None:
    rec = run(load_scenario(PAIR), seed=0)
    step, value = _grid_faratin(PAIR)
    assert step is not None
    assert (rec["settlement_step"], rec["deals"][0]["terms"]["wage"]) == (step, value)


@given(
    v=st.floats(0.0, 1.0),
    a=st.floats(0.0, 1.0),
    b=st.floats(0.0, 1.0),
    levels=st.integers(1, 200),
    up=st.booleans(),
)
def test_snap_rounds_in_the_offerers_favour_within_the_openings(
    v: float, a: float, b: float, levels: int, up: bool
) -> None:
    space = IssueSpace.from_bounds({"x": (0.0, float(levels))}, {"x": 1.0})
    lo, hi = min(a, b), max(a, b)
    v = min(max(v, lo), hi)  # offers lie between the openings
    out = float(space.snap(np.array([v]), up, np.array([a]), np.array([b]))[0])
    assert lo <= out <= hi
    on_grid = abs(out * levels - round(out * levels)) < 1e-9
    assert on_grid or out in (a, b)  # an opening off the grid is always allowed
    if on_grid and lo < out < hi:
        assert (out >= v - 1e-9) if up else (out <= v + 1e-9)
        assert abs(out - v) <= 1.0 / levels + 1e-9


def test_continuous_issues_are_not_snapped() -> None:
    space = IssueSpace.from_bounds({"x": (0.0, 10.0)})
    v = np.array([0.123456])
    assert space.snap(v, True, np.array([1.0]), np.array([0.0])) is v


def _write(tmp_path: Path, old: str, new: str) -> Path:
    text = PAIR.read_text(encoding="utf-8")
    assert old in text
    path = tmp_path / "pair.yaml"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("old", "new", "where", "words"),
    [
        ("step: 1", "step: 0.7", "issues.wage", "must divide"),
        ("step: 1", "step: 0", "issues.wage.step", "greater than 0"),
        ("opening: {wage: 99}", "opening: {wage: 98.5}", "parties.union.opening.wage",
         "not an allowed value"),
    ],
)
def test_bad_discrete_input_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], old: str, new: str, where: str,
    words: str,
) -> None:
    path = _write(tmp_path, old, new)
    assert main(["validate", str(path)]) == 2
    err = capsys.readouterr().err
    assert where in err and words in err and "Traceback" not in err


# --------------------------------------------------------------------------- caches


@given(
    target=st.floats(0.0, 1.0),
    w=st.lists(st.floats(0.01, 1.0), min_size=3, max_size=3),
    w2=st.lists(st.floats(0.0, 1.0), min_size=3, max_size=3),
    focus=st.sampled_from([0.0, 1.0, 3.0]),
)
def test_remembered_concession_path_equals_a_fresh_one(
    target: float, w: list[float], w2: list[float], focus: float
) -> None:
    own, opp = np.array(w), np.array(w2)
    opening, far = np.ones(3), np.zeros(3)
    first = concede(target, own, True, opening, far, opp, focus)
    again = concede(target, own.copy(), True, opening.copy(), far.copy(), opp.copy(), focus)
    fresh = ConcessionPath.build(own, True, opening, far, opp, focus).package(target)
    assert first.tobytes() == again.tobytes() == fresh.tobytes()


@given(
    w=st.lists(st.floats(1e-6, 1.0), min_size=5, max_size=5),
    w2=st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5),
)
def test_focus_one_speeds_are_numpys_power_of_one(w: list[float], w2: list[float]) -> None:
    """`build` divides the speeds in Python floats at focus 1: numpy's `** 1.0`, bit for bit."""
    own, opp = np.array(w), np.array(w2)
    path = ConcessionPath.build(own, True, np.ones(5), np.zeros(5), opp, 1.0)
    paid = [i for i in range(5) if opp[i] > 0.0]
    speeds = opp[paid] / own[paid]
    expected = ((speeds / np.maximum.reduce(speeds)) ** 1.0).tolist() if paid else []
    assert [rho for _, _, rho, _ in path.moves] == expected


@given(
    w=st.lists(st.floats(0.0, 1.0), min_size=5, max_size=5),
    rows=st.lists(st.lists(st.floats(-1.0, 2.0), min_size=5, max_size=5), min_size=1,
                  max_size=9),
    wants_high=st.booleans(),
)
def test_utilities_of_rows_are_utility_row_by_row(
    w: list[float], rows: list[list[float]], wants_high: bool
) -> None:
    """`utilities` gives each row's `utility`, bit for bit (a matrix product may not)."""
    weights, matrix = np.array(w), np.array(rows)
    one_by_one = [utility(weights, row, wants_high) for row in matrix]
    assert np.array(utilities(weights, matrix, wants_high)).tobytes() == np.array(
        one_by_one).tobytes()


def test_resolved_business_is_remembered_per_scenario_object() -> None:
    a = load_scenario(WGA)
    b = load_scenario(WGA, ["industry.model_spread=0.5"])
    assert resolved_business(a) is resolved_business(a)
    assert resolved_business(a) == resolve_companies(a)
    assert resolved_business(b) == resolve_companies(b) != resolve_companies(a)


def test_worth_follows_a_replaced_opening() -> None:
    model = BargainingModel(load_scenario(WGA), mode="separate", seed=1)
    company = next(iter(model.companies.values()))
    before = company.worth(company.opening)
    company.opening = np.clip(company.opening + 0.1, 0.0, 1.0)
    assert company.worth(company.opening) == company.utility(company.opening) != before


def test_run_steps_are_counted_as_mesa_steps() -> None:
    model = BargainingModel(load_scenario(WGA), mode="coalition", seed=0).run()
    assert model.steps == model.t > 0


def test_linear_quantile_is_numpys_bit_for_bit():
    import numpy as np

    from bargainsim.agents.union import linear_quantile

    rng = np.random.default_rng(7)
    for trial in range(3000):
        n = int(rng.integers(1, 400))
        values = rng.random(n) * [1.0, 1e-3, 1e3][trial % 3]
        if trial % 4 == 0:
            values = np.round(values, 2)  # ties
        for q in (0.0, 0.5, 0.6, 1.0, float(rng.random())):
            assert linear_quantile(values, q) == float(np.quantile(values, q))


@settings(max_examples=200, deadline=None)
@given(bounds=st.lists(st.tuples(st.floats(-1e6, 1e6), st.floats(1e-3, 1e6)), min_size=1,
                       max_size=6),
       values=st.lists(st.floats(-0.5, 1.5) | st.sampled_from([-0.0, math.nan]), min_size=6,
                       max_size=6))
def test_to_units_is_numpys_formula_bit_for_bit(
    bounds: list[tuple[float, float]], values: list[float]
) -> None:
    space = IssueSpace.from_bounds({f"i{k}": (lo, lo + w) for k, (lo, w) in enumerate(bounds)})
    vector = np.array(values[: len(bounds)])
    numpys = space.lo + np.minimum(np.maximum(vector, 0.0), 1.0) * (space.hi - space.lo)
    assert np.array(list(space.to_units(vector).values())).tobytes() == numpys.tobytes()
    clipped = space.to_units(np.full(len(bounds), -0.0))  # -0.0 clips to 0.0: the minimum
    assert list(clipped.values()) == space.lo.tolist()


def test_remembered_values_hold_within_a_revision_and_follow_the_next() -> None:
    """A company's limit is computed once per revision and follows its losses week by week."""
    model = BargainingModel(load_scenario(WGA), mode="separate", seed=1)
    company = next(iter(model.companies.values()))
    limits = []
    for _ in range(12):
        model.step()
        first = company.limit_utility()
        assert company.remembered()["limit"] == first  # kept for this revision
        assert company.limit_utility() == first
        fresh = max(0.0, company.utility(company.opening)
                    - company.limit_cost() / company.cost_scale)
        assert first == fresh
        limits.append(first)
    assert len(set(limits)) > 1  # losses moved it between weeks
    revision = model.revision
    again = BargainingModel(load_scenario(WGA), mode="separate", seed=1).run().restart(2)
    assert again.revision > revision  # revisions are never reused, across models and runs


@pytest.mark.parametrize("seed", [0, 1, 9000, 2**31, 2**32 - 1, 2**32, 2**40 + 3])
@pytest.mark.parametrize(("purpose", "key"),
                         [("members", ""), ("talks", "amptp"), ("shocks", "sony")])
def test_a_stream_is_the_generator_of_its_entropy_as_ints(
    seed: int, purpose: str, key: str,
) -> None:
    """Seeds below 2**32 go to numpy as uint32 words: the same generator as the list of ints."""
    import zlib

    from bargainsim.model import _PURPOSES, stream

    entropy = [seed, _PURPOSES[purpose], zlib.crc32(key.encode())]
    expected = np.random.default_rng(np.random.SeedSequence(entropy))
    assert stream(seed, purpose, key).bit_generator.state == expected.bit_generator.state

"""What every tactic is: its parameters (a strict pydantic model) and its moves, in one class.

A tactic answers, at a party's turn, what the party proposes. Most tactics do it through
a utility to aim for (`aim`, between the party's opening and its current limit), which
the party turns into a package, conceding first what is cheap for it and dear to the
other side. A tactic may instead build the package itself (`propose`), reading the offers
made so far at its table (`table.history`, kept when a tactic declares `uses_history`).

A tactic whose aim depends on time alone and which has a vector form (`aims`, equal bit
for bit to `aim` at every time) declares `foreseeable`: the speed layer may then compute
many of its moves at once. Registering a tactic checks these declarations (see `check`).
"""

from __future__ import annotations

import typing
from typing import TYPE_CHECKING, Any, ClassVar, Literal

import numpy as np

from bargainsim._strict import Strict
from bargainsim.registry import RegistryError

if TYPE_CHECKING:
    from bargainsim.agents.base import Party
    from bargainsim.table import Table


def hook[F](func: F) -> F:
    """Mark a method a subclass is meant to provide; `check` finds the ones left out."""
    func.__hook_missing__ = True  # type: ignore[attr-defined]
    return func


def missing(cls: type) -> set[str]:
    """Names of the hooks a tactic class has not provided."""
    return {n for n in dir(cls) if getattr(getattr(cls, n, None), "__hook_missing__", False)}


class Tactic(Strict):
    """Base of every tactic. Subclasses add `kind: Literal["name"]` and their parameters."""

    # the look-ahead may foresee it: `aim` depends on time alone, and `aims` is its
    # vector form, bit for bit
    foreseeable: ClassVar[bool] = False
    # leadership's solidarity pressure may hurry its aim (not a subgame-perfect strategy)
    pressured: ClassVar[bool] = True
    # the table keeps the history of offers for it (`Table.history`)
    uses_history: ClassVar[bool] = False
    # the clocks it plays under: offers ("move", "week") or a concession time ("continuous")
    clocks: ClassVar[tuple[str, ...]] = ("move", "week")
    # how many issues it can bargain over at most (None: any)
    max_issues: ClassVar[int | None] = None

    @property
    def name(self) -> str:
        """The tactic's kind, as scenario files name it."""
        return str(getattr(self, "kind"))  # noqa: B009 - every subclass declares it

    @hook
    def aim(self, party: Party, table: Table, t: float, u_open: float, u_limit: float) -> float:
        """The utility `party` aims for at time t, between its opening and its limit."""
        raise NotImplementedError(f"tactic {self.name} proposes packages, not aims")

    @hook
    def aims(
        self, party: Party, table: Table, ts: np.ndarray, u_open: float, u_limit: float
    ) -> np.ndarray:
        """`aim` at every time in `ts`, bit for bit (foreseeable tactics only)."""
        raise NotImplementedError(f"tactic {self.name} has no vector form")

    def propose(self, party: Party, table: Table, t: float) -> np.ndarray:
        """The package `party` proposes at time t: by default its (pressured) aim as a package."""
        return party.package_at(party.aim(t, table), table)

    def can_foresee(self) -> bool:
        """Whether the look-ahead may foresee this tactic (its class's `foreseeable`)."""
        return self.foreseeable

    def rounds_left(self, t: float) -> int | None:
        """Offers left in a game with a last round (this one included); None: no last round."""
        return None

    def needs_discount(self) -> bool:
        """Whether the game has no equilibrium unless one side discounts (endless Rubinstein)."""
        return False

    @hook
    def give_in_time(self, opponent: Tactic, rng: np.random.Generator) -> float:
        """A continuous-time tactic's moment of giving in (war of attrition)."""
        raise NotImplementedError(f"tactic {self.name} makes offers; it does not give in")


def kind_of(cls: type) -> str:
    """The single name in a tactic class's `kind: Literal[...]` field; RegistryError if none."""
    field = getattr(cls, "model_fields", {}).get("kind")
    hints = typing.get_type_hints(cls) if field is not None else {}
    literal = hints.get("kind")
    if typing.get_origin(literal) is not Literal or len(typing.get_args(literal)) != 1:
        raise RegistryError('needs a field kind: Literal["its-name"] with exactly one name')
    name = typing.get_args(literal)[0]
    if not isinstance(name, str) or not name.isidentifier():
        raise RegistryError(f"kind {name!r} must be a name (letters, digits, underscores)")
    return name


def check(cls: Any) -> str:
    """Check a tactic class before it is registered; return its kind.

    It must be a `Tactic` subclass with one `kind`; one that makes offers provides `aim`
    or overrides `propose`; a `foreseeable` one has a vector form of every formula it
    uses (`aims`, and `concessions` for a concession curve) and proposes through its aim;
    a continuous-time one provides `give_in_time`. Every hook it relies on is provided.
    """
    if not (isinstance(cls, type) and issubclass(cls, Tactic)) or cls is Tactic:
        raise RegistryError("is not a subclass of bargainsim.tactics.Tactic")
    name = kind_of(cls)
    clocks = set(cls.clocks)
    if not clocks or not clocks <= {"move", "week", "continuous"}:
        raise RegistryError(f"clocks {cls.clocks!r} must name move, week and/or continuous")
    offers = bool(clocks & {"move", "week"})
    if "continuous" in clocks and offers:
        raise RegistryError("plays either in continuous time or by offers, not both")
    lacks = missing(cls)
    own_propose = cls.propose is not Tactic.propose
    if offers and "aim" in lacks and not own_propose:
        raise RegistryError("makes offers but defines neither aim nor propose")
    if offers and not own_propose and lacks - {"aims", "concessions", "give_in_time"}:
        raise RegistryError(f"leaves out {', '.join(sorted(lacks))}")
    if cls.foreseeable:
        if own_propose or "aim" in lacks:
            raise RegistryError("is declared foreseeable but does not propose through its aim")
        if lacks & {"aims", "concessions"}:
            raise RegistryError("is declared foreseeable but has no vector form "
                                f"({', '.join(sorted(lacks & {'aims', 'concessions'}))})")
        if cls.uses_history:
            raise RegistryError("reads the history of offers, so it cannot be foreseen")
    if not offers and "give_in_time" in lacks:
        raise RegistryError("plays in continuous time but defines no give_in_time")
    return name

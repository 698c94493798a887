"""Registries of extension points (modes, tactics): name -> object, with where it came from.

A registry holds the built-in entries and those that installed packages declare through
an entry-point group (`bargainsim.modes`, `bargainsim.tactics`). Entry points are loaded
the first time the registry is read, so importing bargainsim never imports a plugin that
is not used. Every entry is checked when it is registered: a half-made extension is an
error then, with its name and origin, never a silent default later.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from typing import Any


class RegistryError(ValueError):
    """An extension cannot be registered (it is incomplete, or its name is taken)."""


@dataclass
class Entry[T]:
    """A registered object, its name and where it came from."""

    name: str
    value: T
    origin: str  # "bargainsim" for built-ins, else "entry point NAME = MODULE:ATTR (DIST)"


@dataclass(eq=False)
class Registry[T](Sequence[str]):
    """Named extensions of one kind, built-ins first, then installed plugins.

    As a sequence it is the tuple of names, in order (so `choices=MODES` and `", ".join`
    work); `get(name)` gives the registered object.
    """

    kind: str  # "mode", "tactic": used in messages
    group: str  # the entry-point group plugins declare
    check: Callable[[Any], str]  # returns the entry's name, or raises RegistryError
    _entries: dict[str, Entry[T]] = field(default_factory=dict)
    _plugins_loaded: bool = False
    _listeners: list[Callable[[], None]] = field(default_factory=list)

    def register(self, value: T, origin: str = "bargainsim") -> T:
        """Add an entry after checking it; a name may be registered once. Returns `value`."""
        try:
            name = self.check(value)
        except RegistryError as exc:
            raise RegistryError(f"{self.kind} {_label(value)} ({origin}): {exc}") from None
        held = self._entries.get(name)
        if held is not None and held.value is not value:
            raise RegistryError(
                f"{self.kind} {name!r} ({origin}) is already registered by {held.origin}"
            )
        self._entries[name] = Entry(name, value, origin)
        for listener in self._listeners:
            listener()
        return value

    def unregister(self, name: str) -> None:
        """Remove an entry (tests, and a plugin's own clean-up)."""
        del self._entries[name]
        for listener in self._listeners:
            listener()

    def on_change(self, listener: Callable[[], None]) -> None:
        """Call `listener` after every registration (a schema built from the names)."""
        self._listeners.append(listener)

    def load_plugins(self) -> None:
        """Register what installed packages declare in this registry's entry-point group."""
        if self._plugins_loaded:
            return
        self._plugins_loaded = True
        for ep in sorted(entry_points(group=self.group), key=lambda e: e.name):
            dist = ep.dist.name if ep.dist is not None else "?"
            origin = f"entry point {ep.name} = {ep.value} ({dist})"
            try:
                value = ep.load()
            except Exception as exc:  # noqa: BLE001 - a broken plugin is named, not hidden
                raise RegistryError(
                    f"{self.kind} plugin {origin} cannot be loaded: {type(exc).__name__}: {exc}"
                ) from None
            self.register(value, origin)

    def get(self, name: str) -> T:
        """The entry of this name; RegistryError naming the known ones otherwise."""
        self.load_plugins()
        entry = self._entries.get(name)
        if entry is None:
            raise RegistryError(f"unknown {self.kind} {name!r}; choose from {', '.join(self)}")
        return entry.value

    @property
    def mapping(self) -> _Values[T]:
        """A live, read-only view: name -> registered object (built-ins and loaded plugins)."""
        return _Values(self._entries)

    def entries(self) -> list[Entry[T]]:
        """Every entry, built-ins first, in registration order."""
        self.load_plugins()
        return list(self._entries.values())

    def names(self) -> tuple[str, ...]:
        """Every registered name, in registration order."""
        return tuple(e.name for e in self.entries())

    def __iter__(self) -> Iterator[str]:
        return iter(self.names())

    def __len__(self) -> int:
        return len(self.names())

    def __getitem__(self, index):  # type: ignore[no-untyped-def, override]
        return self.names()[index]

    def __contains__(self, name: object) -> bool:
        self.load_plugins()
        return name in self._entries


def named(name: str, description: str, shown: str) -> None:
    """Refuse an entry without an identifier for a name or without a description (`shown` where)."""
    if not name or not name.isidentifier():
        raise RegistryError(f"needs a name made of letters, digits and underscores (got {name!r})")
    if not description:
        raise RegistryError(f"needs a one-line description (shown by {shown})")


def _label(value: Any) -> str:
    """A readable name of an object being registered."""
    return getattr(value, "__qualname__", None) or type(value).__qualname__


class _Values[T](Mapping[str, T]):
    """A read-only view of a registry's objects by name."""

    def __init__(self, entries: dict[str, Entry[T]]) -> None:
        self._entries = entries

    def __getitem__(self, name: str) -> T:
        return self._entries[name].value

    def __iter__(self) -> Iterator[str]:
        return iter(self._entries)

    def __len__(self) -> int:
        return len(self._entries)

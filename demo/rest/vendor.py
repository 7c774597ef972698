"""The base of every vendor: one API the demo answers as (``demo/vendors/``, listed in
``demo.registry``).

A vendor declares its ``datasets`` (``demo.data.store.Dataset``) and its ``options`` (record
counts, account values, switches), makes and changes its records for the store (``make``,
``touch`` and the other ``Owner`` hooks), answers through ``endpoints()`` and shapes its
errors (``ErrorShapes``). One instance per ``DemoAPI``: its ``settings`` and state are its own.
"""

from __future__ import annotations

import random
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar

from demo.data.store import Changes, Dataset, Row, Store
from demo.rest.endpoint import Endpoint
from demo.rest.errors import ErrorShapes


@dataclass(frozen=True)
class Option:
    """A vendor's setting: a ``DemoAPI`` keyword, and a ``python -m demo`` flag when ``flag``.

    With ``choices`` it is a switch: it changes at run time (``/_demo/settings``); a switch
    whose choices are ``(False, True)`` is an on/off flag.
    """

    name: str
    default: Any
    flag: bool = True
    choices: tuple[Any, ...] = ()
    help: str | None = None

    def accepts(self, value: Any) -> bool:
        """A switch accepts one of its choices, of the same type (True is not 1)."""
        return any(type(value) is type(choice) and value == choice for choice in self.choices)


class Vendor(ErrorShapes):
    """One API. A subclass sets ``name``, ``prefix``, ``datasets`` and ``options``; writes
    ``make`` (the n-th record of a sized dataset) and ``touch`` (a tick's update of one),
    ``endpoints()`` (its routes: ``Endpoint``\\ s with a paging style of ``demo.rest.paging``)
    and the ``ErrorShapes`` methods its API answers differently. ``build``, ``ticked``,
    ``deleted`` and ``loaded`` serve datasets built around the sized ones and what follows a
    change; ``params`` and ``tap_params`` fill the specs' placeholders.
    """

    #: Its name, which also seeds its own generator in ``build`` ("mailchimp:1").
    name: ClassVar[str]
    #: Unknown paths under this prefix get this API's 404 ("": any path no other API claims).
    prefix: ClassVar[str]
    datasets: ClassVar[tuple[Dataset, ...]] = ()
    options: ClassVar[tuple[Option, ...]] = ()

    def __init__(self, store: Store, settings: Mapping[str, Any], extra: Mapping[str, int]) -> None:
        """``settings``: values for some of ``options``; ``extra``: sizes for ``build``."""
        self.store = store
        self.settings: dict[str, Any] = {o.name: settings.get(o.name, o.default) for o in self.options}
        self.extra = dict(extra)
        for option in self.options:
            if option.choices and not option.accepts(self.settings[option.name]):
                raise ValueError(f"unknown setting {option.name}={self.settings[option.name]!r}")

    # ---------------------------------------------------------------- what it serves

    def endpoints(self) -> tuple[Endpoint, ...]:
        """Its routes, in the order they are matched."""
        return ()

    def params(self) -> dict[str, Any]:
        """Values for the specs' ``spec.properties`` placeholders that match its data."""
        return {}

    def tap_params(self, url: str) -> dict[str, Any]:
        """More tap ``params`` that need the demo's address (a token URL)."""
        return {}

    def switches(self) -> dict[str, Any]:
        """The current value of each switch."""
        return {o.name: self.settings[o.name] for o in self.options if o.choices}

    def switch(self, name: str, value: Any) -> bool:
        """Set a switch; False if it has none of that name or the value is not a choice."""
        option = next((o for o in self.options if o.name == name and o.choices), None)
        if option is None or not option.accepts(value):
            return False
        self.settings[name] = value
        return True

    # ---------------------------------------------------------------- records (``Owner``)

    def count(self, dataset: Dataset) -> int:
        assert dataset.size is not None
        return int(self.settings[dataset.size])

    def make(self, dataset: str, rng: random.Random, n: int, created: datetime, changed: datetime) -> Row:
        raise NotImplementedError(f"{self.name} makes no {dataset} records")

    def touch(self, dataset: str, row: Row, rng: random.Random, moment: datetime) -> None:
        raise NotImplementedError(f"{self.name} does not say how a tick changes {dataset}")

    def add(self, dataset: str, rng: random.Random, moment: datetime) -> Row:
        return self.store.make(dataset, rng, moment, moment)

    def build(self, now: datetime) -> None:
        """Fill the datasets built around the sized ones (none by default)."""

    def ticked(self, rng: random.Random, moment: datetime, changes: Changes) -> None:
        """After a tick (nothing by default)."""

    def deleted(self, dataset: str, gone: list[Row], record_id: Any, moment: datetime) -> None:
        """After a delete (nothing by default)."""

    def loaded(self) -> None:
        """After the data was read from a state file (nothing by default)."""

"""Every dataset the demo serves, behind one lock: generated from a seed, changed by ticks
and deletes, kept in a state file. The store knows no API.

Each dataset is declared by its owner (a ``Dataset`` of a vendor, ``demo.rest.vendor``),
which the store asks, through ``Owner``, to make and change its records. One order makes
the same seed give the same data:

1. the sized datasets (``Dataset.size``), owner by owner in the registry's order, from one
   generator seeded with ``seed``: creation and change moments in the 30 days before
   ``now``, records in creation order (``newest_first`` ones reversed afterwards);
2. each owner's ``build``: the datasets built around those, from its own generator.

``tick`` changes the sized datasets that tick: some records updated (``Owner.touch``), some
added (``Owner.add``), then each owner's ``ticked``; ``delete`` removes a record and what
``links`` to it, then calls the owner's ``deleted``.
"""

from __future__ import annotations

import copy
import json
import random
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Protocol

from demo.data.times import UTC, epoch, to_utc

Row = dict[str, Any]
#: What a tick did: ``{dataset: {"updated": [ids], "added": [ids]}}``.
Changes = dict[str, dict[str, list[Any]]]


@dataclass(frozen=True)
class Dataset:
    """One list of records, as its owner declares it."""

    name: str
    #: The field that identifies a record (None: the record itself, or no single field).
    id_key: str | None = "id"
    #: The field the API's time windows filter on (None: the API has no window).
    change_key: str | None = None
    #: The owner's option that sets how many records it has: a sized dataset is generated
    #: first, from the shared seed, and numbered (None: its owner's ``build`` fills it).
    size: str | None = None
    #: A sized dataset that ``tick`` changes record by record (else only the owner's hooks).
    ticks: bool = True
    #: Listed newest first (an audit trail), not in creation order.
    newest_first: bool = False
    #: (field, parent dataset): deleting a parent record deletes the records linked to it.
    links: tuple[tuple[str, str], ...] = ()


class Owner(Protocol):
    """What the store asks of the owner of datasets (``demo.rest.vendor.Vendor``)."""

    @property
    def datasets(self) -> tuple[Dataset, ...]: ...

    def count(self, dataset: Dataset) -> int:
        """How many records a sized dataset starts with."""
        ...

    def make(self, dataset: str, rng: random.Random, n: int, created: datetime, changed: datetime) -> Row:
        """The ``n``-th record of a sized dataset."""
        ...

    def touch(self, dataset: str, row: Row, rng: random.Random, moment: datetime) -> None:
        """Change a record as an update at ``moment`` would."""
        ...

    def add(self, dataset: str, rng: random.Random, moment: datetime) -> Row:
        """A record created at ``moment`` by a tick."""
        ...

    def build(self, now: datetime) -> None:
        """Fill the datasets built around the sized ones."""
        ...

    def ticked(self, rng: random.Random, moment: datetime, changes: Changes) -> None:
        """After every dataset ticked: what follows from the changes."""
        ...

    def deleted(self, dataset: str, gone: list[Row], record_id: Any, moment: datetime) -> None:
        """After a delete: what follows from it."""
        ...

    def loaded(self) -> None:
        """After the data was read from a state file."""
        ...


class Store:
    """The records of every owner's datasets, in each API's natural order."""

    def __init__(
        self, *, seed: int = 1, now: datetime | str | None = None, state_file: str | Path | None = None
    ) -> None:
        self.seed = seed
        self.state_file = Path(state_file) if state_file else None
        self.lock = threading.RLock()
        self.data: dict[str, list[Any]] = {}
        self.ticks = 0
        self.counters: dict[str, int] = {}
        self._now = to_utc(now) if now is not None else None
        self._owners: list[Owner] = []
        self._tables: dict[str, tuple[Dataset, Owner]] = {}

    def open(self, owners: Sequence[Owner]) -> None:
        """Take the owners' datasets, then read the state file if there is one, else generate."""
        self._owners = list(owners)
        tables = [(d, o) for o in owners for d in o.datasets if d.size] + [
            (d, o) for o in owners for d in o.datasets if not d.size
        ]
        self._tables = {d.name: (d, o) for d, o in tables}
        if self.state_file and self.state_file.exists():
            self._load()
        else:
            self.generate()

    # ---------------------------------------------------------------- reading

    @property
    def datasets(self) -> tuple[str, ...]:
        """Every dataset's name: the sized ones, then the ones built around them."""
        return tuple(self._tables)

    def table(self, dataset: str) -> Dataset:
        if dataset not in self._tables:
            raise KeyError(f"unknown dataset {dataset!r}; one of {', '.join(self._tables)}")
        return self._tables[dataset][0]

    def rows(self, dataset: str) -> list[Any]:
        """The live list of a dataset's records (hold ``lock`` while using it)."""
        self.table(dataset)
        return self.data[dataset]

    def records(self, dataset: str) -> list[Any]:
        with self.lock:
            return copy.deepcopy(self.rows(dataset))

    def ids(self, dataset: str) -> list[Any]:
        """The id of each record (``Dataset.id_key``); the record itself where no field is one."""
        key = self.table(dataset).id_key
        with self.lock:
            return [r[key] if key else copy.deepcopy(r) for r in self.rows(dataset)]

    def changed_between(
        self, dataset: str, start: datetime | str | None, end: datetime | str | None
    ) -> list[Row]:
        key = self.table(dataset).change_key
        if key is None:
            raise ValueError(f"{dataset} has no change timestamp")
        lo = to_utc(start).timestamp() if start is not None else float("-inf")
        hi = to_utc(end).timestamp() if end is not None else float("inf")
        with self.lock:
            return [copy.deepcopy(r) for r in self.rows(dataset) if lo <= epoch(r[key]) < hi]

    # ---------------------------------------------------------------- generation

    def make(self, dataset: str, rng: random.Random, created: datetime, changed: datetime) -> Row:
        """The next record of a sized dataset (numbered; the numbers are kept in the state file)."""
        n = self.counters[dataset]
        self.counters[dataset] = n + 1
        return self._tables[dataset][1].make(dataset, rng, n, created, changed)

    def generate(self) -> None:
        """(Re)build every dataset from the seed: timestamps in the 30 days before now."""
        with self.lock:
            now = self._now or datetime.now(UTC)
            rng = random.Random(self.seed)
            sized = [(d, o) for d, o in self._tables.values() if d.size]
            self.ticks = 0
            self.counters = {d.name: 0 for d, _ in sized}
            self.data.clear()
            self.data.update({name: [] for name in self._tables})
            span = timedelta(days=30).total_seconds() - 120

            def moments() -> tuple[datetime, datetime]:
                created = now - timedelta(days=30) + timedelta(seconds=rng.random() * span)
                room = (now - timedelta(seconds=60) - created).total_seconds()
                changed = created + timedelta(seconds=rng.random() * max(room, 0))
                return created.replace(microsecond=0), changed.replace(microsecond=0)

            for dataset, owner in sized:  # in creation order (oldest first)
                stamps = sorted(moments() for _ in range(owner.count(dataset)))
                for created, changed in stamps:
                    self.data[dataset.name].append(self.make(dataset.name, rng, created, changed))
            for dataset, _ in sized:
                if dataset.newest_first:
                    self.data[dataset.name].reverse()
            self._build(now)
            self._save()

    def _build(self, now: datetime) -> None:
        for owner in self._owners:
            owner.build(now)

    # ---------------------------------------------------------------- changes

    def tick(self, now: datetime | str | None, updates: int, adds: int) -> Changes:
        """See ``DemoAPI.tick``."""
        moment = to_utc(now)
        with self.lock:
            self.ticks += 1
            rng = random.Random(f"tick:{self.seed}:{self.ticks}")
            changes: Changes = {}
            for dataset, owner in self._tables.values():
                if dataset.size and dataset.ticks:
                    changes[dataset.name] = self._tick(dataset, owner, rng, moment, updates, adds)
            for owner in self._owners:
                owner.ticked(rng, moment, changes)
            self._save()
            return changes

    def _tick(
        self, dataset: Dataset, owner: Owner, rng: random.Random, moment: datetime, updates: int, adds: int
    ) -> dict[str, list[Any]]:
        rows, key = self.data[dataset.name], dataset.id_key
        assert key is not None  # every ticking dataset has an id field
        updated = []
        for index in rng.sample(range(len(rows)), min(updates, len(rows))):
            owner.touch(dataset.name, rows[index], rng, moment)
            updated.append(rows[index][key])
        added = []
        for _ in range(adds):
            row = owner.add(dataset.name, rng, moment)
            rows.append(row)
            added.append(row[key])
        return {"updated": updated, "added": added}

    def delete(self, dataset: str, record_id: Any, now: datetime | str | None = None) -> dict[str, list[Any]]:
        """Delete a record, and the records linked to it (``Dataset.links``), as the API would.

        ``record_id`` is the record's ``id_key`` field (the record itself where there is none).
        Returns ``{dataset: [ids removed]}``; raises LookupError when there is no such record,
        KeyError for an unknown dataset.
        """
        moment = to_utc(now)
        with self.lock:
            rows, key = self.rows(dataset), self.table(dataset).id_key
            gone = [r for r in rows if (str(r[key]) if key else r) == (str(record_id) if key else record_id)]
            if not gone:
                raise LookupError(f"{dataset} has no record {record_id!r}")
            removed: dict[str, list[Any]] = {}
            self._remove(dataset, gone, removed)
            self._tables[dataset][1].deleted(dataset, gone, record_id, moment)
            self._save()
            return removed

    def _remove(self, dataset: str, gone: list[Any], removed: dict[str, list[Any]]) -> None:
        key = self.table(dataset).id_key
        rows = self.data[dataset]
        doomed = {id(r) for r in gone}
        rows[:] = [r for r in rows if id(r) not in doomed]
        removed.setdefault(dataset, []).extend(r[key] if key else r for r in gone)
        parent_ids = {r.get("id") for r in gone if isinstance(r, dict)}
        for child, _ in self._tables.values():
            for link, parent in child.links:
                if parent == dataset and child.name in self.data:
                    orphans = [r for r in self.data[child.name] if r.get(link) in parent_ids]
                    if orphans:
                        self._remove(child.name, orphans, removed)

    # ---------------------------------------------------------------- state file

    def _save(self) -> None:
        if not self.state_file:
            return
        state = {
            "version": 1,
            "seed": self.seed,
            "ticks": self.ticks,
            "counters": self.counters,
            "data": self.data,
        }
        tmp = self.state_file.with_name(self.state_file.name + ".tmp")
        tmp.write_text(json.dumps(state))
        tmp.replace(self.state_file)

    def _load(self) -> None:
        assert self.state_file is not None
        state = json.loads(self.state_file.read_text())
        self.ticks = int(state["ticks"])
        self.counters = {k: int(v) for k, v in state["counters"].items()}
        self.data.update({name: list(rows) for name, rows in state["data"].items() if name in self._tables})
        for name, (dataset, _) in self._tables.items():
            if dataset.size and name not in self.data:  # a vendor added since: no records yet
                self.data[name] = []
                self.counters.setdefault(name, 0)
        if any(name not in self.data for name in self._tables):  # a file from before a dataset
            self._build(self._now or datetime.now(UTC))
            self._save()
        for owner in self._owners:
            owner.loaded()

"""The demo's data and settings: generation from a seed, ticks, reset, the state file.

``Context`` is what every endpoint handler gets: the ``Store``, the ``Settings`` and the
Help Scout ``Tokens``.
"""

from __future__ import annotations

import copy
import json
import random
import threading
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from demo import mailchimp_data, segment_catalog
from demo.data import CHANGE_KEYS, DATASETS, ID_KEYS, RELATIONS, TICKED, Maker
from demo.times import UTC, epoch, fmt_ms, fmt_offset, fmt_z, to_utc

HUBSPOT_LINKS = ("absolute", "relative")


@dataclass
class Settings:
    """The account the demo serves, and the switches that change how it answers."""

    list_id: str = "a1b2c3d4e5"
    campaign_id: str = "42694e9e57"
    dc: str = "us21"
    subdomain: str = "demo"
    workspace_id: str = "9aQ1Lj62S4bomZKLF4DPqW"
    #: The Mailchimp lists after ``list_id`` (``mailchimp_data.extra_list_ids``).
    more_lists: tuple[str, ...] = ()
    #: Help Scout accepts only tokens it issued.
    strict_tokens: bool = False
    #: HubSpot's ``paging.next.link``: "absolute" (as the API sends it) or "relative"
    #: (``?after=...``, as HubSpot's reference docs print it).
    hubspot_links: str = "absolute"

    def switches(self) -> dict[str, Any]:
        return {"strict_tokens": self.strict_tokens, "hubspot_links": self.hubspot_links}

    def change(self, **switches: Any) -> None:
        """Set switches by name; an unknown name or value is a ValueError."""
        for name, value in switches.items():
            if name == "hubspot_links" and value in HUBSPOT_LINKS:
                self.hubspot_links = value
            elif name == "strict_tokens" and isinstance(value, bool):
                self.strict_tokens = value
            else:
                raise ValueError(f"unknown setting {name}={value!r}")


class Tokens:
    """Help Scout access tokens the demo issued."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._issued: set[str] = set()

    def issue(self) -> dict[str, Any]:
        token = uuid.uuid4().hex
        with self._lock:
            self._issued.add(token)
        return {
            "token_type": "bearer",
            "access_token": token,
            "refresh_token": uuid.uuid4().hex,
            "expires_in": 172800,
        }

    def valid(self, token: str) -> bool:
        with self._lock:
            return token in self._issued

    def revoke(self) -> None:
        with self._lock:
            self._issued.clear()


class Store:
    """Every dataset's records, in each API's natural order, behind one lock."""

    def __init__(
        self,
        settings: Settings,
        sizes: dict[str, int],
        *,
        seed: int = 1,
        now: datetime | str | None = None,
        state_file: str | Path | None = None,
        extra: dict[str, int] | None = None,
    ) -> None:
        self.seed = seed
        self.sizes = sizes
        self.extra = dict(extra or {})  # mailchimp_data.SIZES and segment_catalog.SIZES
        self.settings = settings
        self.state_file = Path(state_file) if state_file else None
        self.lock = threading.RLock()
        self.data: dict[str, list[dict[str, Any]]] = {}
        self.ticks = 0
        self._now = to_utc(now) if now is not None else None
        self._maker = Maker(settings, self.data)
        if self.state_file and self.state_file.exists():
            self._load()
        else:
            self.generate()

    def rows(self, dataset: str) -> list[dict[str, Any]]:
        """The live list of a dataset's records (hold ``lock`` while using it)."""
        if dataset not in self.data:
            raise KeyError(f"unknown dataset {dataset!r}; one of {', '.join(DATASETS)}")
        return self.data[dataset]

    def records(self, dataset: str) -> list[dict[str, Any]]:
        with self.lock:
            return copy.deepcopy(self.rows(dataset))

    def ids(self, dataset: str) -> list[Any]:
        """The id of each record (``ID_KEYS``); the record itself where no single field is one."""
        key = ID_KEYS[dataset]
        with self.lock:
            return [r[key] if key else copy.deepcopy(r) for r in self.rows(dataset)]

    def changed_between(
        self, dataset: str, start: datetime | str | None, end: datetime | str | None
    ) -> list[dict[str, Any]]:
        key = CHANGE_KEYS[dataset]
        if key is None:
            raise ValueError(f"{dataset} has no change timestamp")
        lo = to_utc(start).timestamp() if start is not None else float("-inf")
        hi = to_utc(end).timestamp() if end is not None else float("inf")
        with self.lock:
            return [copy.deepcopy(r) for r in self.rows(dataset) if lo <= epoch(r[key]) < hi]

    # ---------------------------------------------------------------- generation

    def generate(self) -> None:
        """(Re)build every dataset from the seed: timestamps in the 30 days before now."""
        with self.lock:
            now = self._now or datetime.now(UTC)
            rng = random.Random(self.seed)
            self.ticks = 0
            self._maker.counters = {name: 0 for name in TICKED}
            self.data.clear()
            self.data.update({name: [] for name in DATASETS})
            span = timedelta(days=30).total_seconds() - 120

            def moments() -> tuple[datetime, datetime]:
                created = now - timedelta(days=30) + timedelta(seconds=rng.random() * span)
                room = (now - timedelta(seconds=60) - created).total_seconds()
                changed = created + timedelta(seconds=rng.random() * max(room, 0))
                return created.replace(microsecond=0), changed.replace(microsecond=0)

            # Records are kept in each API's creation order (oldest first).
            for name in TICKED:
                stamps = sorted(moments() for _ in range(self.sizes[name]))
                for created, changed in stamps:
                    self.data[name].append(self._maker.make(name, rng, created, changed))
            # Audit events are listed newest first, like an audit trail.
            self.data["segment_audit_events"].reverse()
            self._build_around(now)
            self._save()

    def _build_around(self, now: datetime) -> None:
        """The datasets built around the ticked ones, each from its own generator."""
        mailchimp = random.Random(f"mailchimp:{self.seed}")
        mailchimp_data.generate(mailchimp, self.data, self._maker, self.settings, now, self.extra)
        segment = random.Random(f"segment:{self.seed}")
        segment_catalog.generate(segment, self.data, self.settings.workspace_id, now, self.extra)

    def delete(self, dataset: str, record_id: Any, now: datetime | str | None = None) -> dict[str, list[Any]]:
        """Delete a record, and the records that hang off it (``RELATIONS``), as the API would.

        ``record_id`` is the record's ``ID_KEYS`` field (the record itself where there is
        none). A deleted Segment source also appends a ``Source Deleted`` audit event at
        ``now``. Returns ``{dataset: [ids removed]}``; raises LookupError when there is no
        such record, KeyError for an unknown dataset.
        """
        moment = to_utc(now)
        with self.lock:
            rows = self.rows(dataset)
            key = ID_KEYS[dataset]
            gone = [r for r in rows if (str(r[key]) if key else r) == (str(record_id) if key else record_id)]
            if not gone:
                raise LookupError(f"{dataset} has no record {record_id!r}")
            removed: dict[str, list[Any]] = {}
            self._remove(dataset, gone, removed)
            if dataset == "segment_sources":
                rng = random.Random(f"delete:{self.seed}:{record_id}")
                event = self._maker.make("segment_audit_events", rng, moment, moment)
                source = gone[0]
                event.update(resourceId=source["id"], resourceName=source["name"], type="Source Deleted")
                event["timestamp"] = fmt_ms(moment)
                self.data["segment_audit_events"].insert(0, event)
            self._save()
            return removed

    def _remove(self, dataset: str, gone: list[Any], removed: dict[str, list[Any]]) -> None:
        key = ID_KEYS[dataset]
        rows = self.data[dataset]
        doomed = {id(r) for r in gone}
        rows[:] = [r for r in rows if id(r) not in doomed]
        removed.setdefault(dataset, []).extend(r[key] if key else r for r in gone)
        parent_ids = {r.get("id") for r in gone if isinstance(r, dict)}
        for child, links in RELATIONS.items():
            for link, parent in links:
                if parent == dataset and child in self.data:
                    orphans = [r for r in self.data[child] if r.get(link) in parent_ids]
                    if orphans:
                        self._remove(child, orphans, removed)

    def tick(self, now: datetime | str | None, updates: int, adds: int) -> dict[str, dict[str, list[Any]]]:
        """See ``DemoAPI.tick``."""
        moment = to_utc(now)
        with self.lock:
            self.ticks += 1
            rng = random.Random(f"tick:{self.seed}:{self.ticks}")
            changes: dict[str, dict[str, list[Any]]] = {}
            for name in TICKED:
                if name != "segment_audit_events":
                    changes[name] = self._tick_dataset(name, rng, moment, updates, adds)
            sources = changes["segment_sources"]
            by_id = {s["id"]: s for s in self.data["segment_sources"]}
            added_events = []
            for source_id in sources["updated"] + sources["added"]:
                event = self._maker.make("segment_audit_events", rng, moment, moment)
                event["resourceId"] = source_id
                event["resourceName"] = by_id[source_id]["name"]
                event["type"] = "Source Created" if source_id in sources["added"] else "Source Modified"
                event["timestamp"] = fmt_ms(moment)
                self.data["segment_audit_events"].insert(0, event)
                added_events.append(event["id"])
            changes["segment_audit_events"] = {"updated": [], "added": added_events}
            self._save()
            return changes

    def _tick_dataset(
        self, name: str, rng: random.Random, moment: datetime, updates: int, adds: int
    ) -> dict[str, list[Any]]:
        rows = self.data[name]
        key = ID_KEYS[name]
        assert key is not None  # every ticked dataset has an id field
        updated = []
        for index in rng.sample(range(len(rows)), min(updates, len(rows))):
            self._touch(name, rows[index], rng, moment)
            updated.append(rows[index][key])
        added = []
        for _ in range(adds):
            row = self._maker.make(name, rng, moment, moment)
            if name == "mailchimp_email_activity":
                row["activity"] = [self._maker.activity(rng, moment)]
            rows.append(row)
            added.append(row[key])
        return {"updated": updated, "added": added}

    def _touch(self, name: str, row: dict[str, Any], rng: random.Random, moment: datetime) -> None:
        if name == "mailchimp_members":
            row["last_changed"] = fmt_offset(moment)
            row["status"] = "unsubscribed" if row["status"] == "subscribed" else "subscribed"
            row["stats"]["avg_open_rate"] = round(rng.random(), 2)
        elif name == "mailchimp_email_activity":
            seen = {(a["action"], a["timestamp"]) for a in row["activity"]}
            activity = self._maker.activity(rng, moment)
            for action in ("open", "click", "bounce"):
                if (activity["action"], activity["timestamp"]) not in seen:
                    break
                activity = {**activity, "action": action}
            if (activity["action"], activity["timestamp"]) not in seen:
                row["activity"].append(activity)
        elif name == "zendesk_users":
            row["updated_at"] = fmt_z(moment)
            row["verified"] = True
            row["tags"] = sorted({*row["tags"], "updated"})
        elif name == "segment_sources":
            row["enabled"] = not row["enabled"]
            row["name"] = row["name"].split(" (")[0] + f" ({'on' if row['enabled'] else 'off'})"
        elif name == "hubspot_contacts":
            stamp = fmt_ms(moment)
            row["updatedAt"] = stamp
            row["properties"]["lastmodifieddate"] = stamp
        elif name == "helpscout_conversations":
            row["userUpdatedAt"] = fmt_z(moment)
            row["customerWaitingSince"] = {"time": fmt_z(moment), "friendly": "just now"}
            row["threads"] += 1
            if row["status"] == "closed":
                row["status"] = "active"
                row.pop("closedAt", None)
                row["closedBy"] = 0

    # ---------------------------------------------------------------- state file

    def _save(self) -> None:
        if not self.state_file:
            return
        state = {
            "version": 1,
            "seed": self.seed,
            "ticks": self.ticks,
            "counters": self._maker.counters,
            "data": self.data,
        }
        tmp = self.state_file.with_name(self.state_file.name + ".tmp")
        tmp.write_text(json.dumps(state))
        tmp.replace(self.state_file)

    def _load(self) -> None:
        assert self.state_file is not None
        state = json.loads(self.state_file.read_text())
        self.ticks = int(state["ticks"])
        self._maker.counters = {k: int(v) for k, v in state["counters"].items()}
        self.data.update({name: list(rows) for name, rows in state["data"].items() if name in DATASETS})
        if any(name not in self.data for name in DATASETS):  # a file from before the catalog
            self._build_around(self._now or datetime.now(UTC))
            self._save()
        lists = dict.fromkeys(m["list_id"] for m in self.data["mailchimp_list_members"])
        self.settings.more_lists = tuple(lists) or self.settings.more_lists


@dataclass
class Context:
    """What an endpoint handler works with."""

    store: Store
    settings: Settings = field(default_factory=Settings)
    tokens: Tokens = field(default_factory=Tokens)

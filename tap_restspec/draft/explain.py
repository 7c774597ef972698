"""The drafted spec and its explanation: the `"singer"` block and custom schema from every record
the draft read, and a few lines that give each guess and why, the settings to set, and what the
user must check.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote

from tap_restspec.draft.choice import Choice
from tap_restspec.draft.document import spec_document
from tap_restspec.draft.page import FirstPage
from tap_restspec.draft.prober import MAX_REQUESTS
from tap_restspec.draft.records import (
    ChangeKey,
    change_key,
    formatted,
    identity,
    path_of,
    primary_key,
    record_schema,
)
from tap_restspec.parse.document import snake_case

_VERSION = re.compile(r"(?i)v?\d+(?:\.\d+)*")
_EXTENSION = re.compile(r"(?i)\.(?:json|xml|csv)$")

@dataclass(frozen=True)
class Draft:
    """A spec document and the lines that explain it."""

    document: dict[str, Any]
    lines: list[str]


def stream_name(path: str) -> str:
    """A stream's name from a URL path: its last segment that is neither a version nor an id."""
    for segment in reversed([unquote(part) for part in path.split("/") if part]):
        stem = _EXTENSION.sub("", segment)
        if _VERSION.fullmatch(stem) or (any(ch.isdigit() for ch in stem) and len(stem) >= 8):
            continue
        name = snake_case(stem)
        if name:
            return name
    return "records"


def drafted(first: FirstPage, choice: Choice, name: str) -> Draft:
    """The spec for what was read, and its explanation."""
    records = _sample(first, choice)
    key = primary_key(records)
    change = change_key(records)
    schema = record_schema(records)
    singer: dict[str, Any] = {"name": name}
    if key:
        singer["primaryKeys"] = [key]
    if change:
        singer["replicationKey"] = change.name
        if change.order:
            singer["recordOrder"] = change.order
    guess = choice.guess
    document = spec_document(
        first.target, first.records_at, guess.params, guess.drop, singer=singer, schema=schema
    )
    lines = [
        _records_line(first),
        _paging_line(choice, len(records)),
        *_given_up(choice.given_up),
        _key_line(key, len(records)),
        _change_line(change, len(records)),
        _schema_line(schema, len(records)),
        f"requests: {first.prober.sent} GET to {first.target.host} (at most {MAX_REQUESTS})",
        *_settings_lines(first),
        *_checks(choice, change, schema, len(records)),
    ]
    return Draft(document, lines)


def _sample(first: FirstPage, choice: Choice) -> list[dict[str, Any]]:
    """Every object record read, once each."""
    read = choice.trial.records if choice.trial is not None and choice.trial.records else first.records
    unique: dict[str, dict[str, Any]] = {}
    for record in read:
        if isinstance(record, dict):
            unique.setdefault(identity(record, first.key), record)
    return list(unique.values())


def _records_line(first: FirstPage) -> str:
    where = path_of(first.records_at)
    count = len(first.records)
    if not first.records_at:
        return f"records: $ (the answer is an array of {count} objects)"
    return f"records: {where} (the largest array of objects in the answer: {count} on the first page)"


def _paging_line(choice: Choice, count: int) -> str:
    trial = choice.trial
    if trial is None:
        why = (
            f"the first page says more follow ({choice.more}), but no way to ask for them held"
            if choice.more
            else ("the first page says nothing of a next one (no next link, cursor, has-more flag or total)")
        )
        return f"pagination: none, one request: {why}"
    pages = len(trial.pages)
    if not trial.moved:
        return f"pagination: {choice.guess.says}: not seen moving, the first page was the last"
    end = "the last page was reached" if trial.ended else f"the last page was not reached in {pages} pages"
    return f"pagination: {choice.guess.says}: {pages} pages read, {count} records, none twice; {end}"


def _given_up(given_up: tuple[str, ...], shown: int = 4) -> list[str]:
    """One line naming the guesses that did not hold (the first few), and why."""
    if not given_up:
        return []
    more = f"; and {len(given_up) - shown} more" if len(given_up) > shown else ""
    return [f"given up: {'; '.join(given_up[:shown])}{more}"]


def _key_line(key: str | None, count: int) -> str:
    if key is None:
        return "primary key: none found (no field named like an id is in every record and unique)"
    return f"primary key: {key} (in each of the {count} records read, unique)"


def _change_line(change: ChangeKey | None, count: int) -> str:
    if change is None:
        return "replication key: none (no updated_at, modified... field holds a date-time in every record)"
    order = (
        f"; recordOrder {change.order}: the {count} records read are in that order" if change.order else ""
    )
    return f"replication key: {change.name} (a date-time in each record read){order}"


def _schema_line(schema: dict[str, Any], count: int) -> str:
    props = schema.get("properties") or {}
    times = formatted(schema, "date-time")
    shown = f"; date-times: {', '.join(times)}" if times else ""
    return f"schema: {_count(len(props), 'property', 'properties')} typed from {count} records{shown}"


def _settings_lines(first: FirstPage) -> list[str]:
    settings = first.target.settings
    if not settings:
        return ["set: nothing, no secret was given"]
    return [f"set: {setting}, {where} (it is not written in the spec)" for setting, where in settings]


def _checks(choice: Choice, change: ChangeKey | None, schema: dict[str, Any], count: int) -> list[str]:
    """What the user must check before relying on the spec."""
    checks = []
    guess, trial = choice.guess, choice.trial
    if trial is None and choice.more:
        checks.append(
            "this spec reads the first page only: set paginationParams (docs/spec-format.md, section 2)"
        )
    elif trial is None:
        checks.append(
            "one page was seen and nothing on it says more follow: if the API pages (a Link header, a "
            "cursor, page or offset parameters), set paginationParams (docs/spec-format.md, section 2)"
        )
    elif not trial.moved:
        checks.append(
            f"{guess.kind} could not be tried past the first page: read the API's paging documentation"
        )
    if guess.limit_guessed and guess.params:
        checks.append(
            f"{guess.params['limitName']} was not seen to size the pages: the tap takes a page of fewer "
            f"than {guess.params['limitValue']} records as the last"
        )
    if change is not None:
        reads = (
            "stops at the first page all older than the bookmark"
            if change.order == "newest_first"
            else "each run still reads every page"
        )
        checks.append(
            f"the API may not filter by {change.name}: the tap filters on the client and {reads} "
            "(add scheduleParams if the API takes a start time)"
        )
        if change.order:
            checks.append(
                f"recordOrder {change.order} rests on {count} records: keep it only if the API sorts by "
                f"{change.name} (a sort parameter in the URL), else delete it"
            )
    fields = len(schema.get("properties") or {})
    checks.append(
        f"the schema lists the {_count(fields, 'field', 'fields')} the records read had: a field they "
        'did not show is left out (delete "schema" to let the tap infer it on every run)'
    )
    return [f"check: {line}" for line in checks]


def _count(number: int, one: str, many: str) -> str:
    return f"{number} {one if number == 1 else many}"

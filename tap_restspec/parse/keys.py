"""The keys each object of a spec document may hold: one table, and the check of a document against it.

A misspelt key silently ignored loses data (`paginationParam` reads one page of many), so
every object the contract defines is checked: a key near one the tap reads is a start-up
error with a did-you-mean, a key that Adobe's documents carry and the tap does not need is
accepted silently, and any other key is named in one WARNING per file. JSON schema parts
(`sourceSpec.spec`, `schema`, an authSpec entry's `spec`) hold JSON schema's keys and are
not checked; neither are free-form objects (headers, query, body, `uiAttributes`).

Adding a key the tap reads is one line in `KNOWN`.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any

from tap_restspec.model.fields import Problems

_SELECTION = ("path", "skipAttributes", "keepAttributes", "overrideWrapperAttribute")

# The keys the tap reads, per object.
KNOWN: dict[str, tuple[str, ...]] = {
    "document": ("sourceSpec", "authSpec", "singer", "name", "description"),
    "sourceSpec": ("attributes", "spec", "schema"),
    "attributes": (
        "urlParams",
        "headerParams",
        "bodyParams",
        "contentPath",
        "explodeEntityPath",
        "paginationParams",
        "scheduleParams",
        "schema",
        "queryParams",  # Adobe's beta dialect: a string beside urlParams
    ),
    "urlParams": ("host", "path", "method", "queryParams", "hostname", "hostName"),
    "contentPath": _SELECTION,
    "explodeEntityPath": _SELECTION,
    "paginationParams": (
        "type",
        "paginationType",  # Adobe's beta dialect
        "limitName",
        "limitValue",
        "offsetName",
        "offSetName",
        "pointerPath",
        "pointerName",
        "continuationTokenPath",
        "parameterType",
        "parameterName",
        "pageParamName",
        "initialPageIndex",
        "endPageIndex",
        "maximumRequest",
        "delayRequestMillis",
        "endConditionName",
        "endConditionValue",
    ),
    "scheduleParams": (
        "type",
        "scheduleStartParamName",
        "scheduleEndParamName",
        "scheduleStartParamFormat",
        "scheduleEndParamFormat",
        "paramFormat",
        "incremental",
        "backfill",
    ),
    "singer": (
        "name",
        "primaryKeys",
        "replicationKey",
        "isSorted",
        "windowStep",
        "parent",
        "onHttpError",
        "recordOrder",
    ),
    "singer.parent": ("stream", "values"),
    "authSpec": ("name", "type", "spec", "attributes"),
    "authSpec.attributes": ("authParams",),  # Adobe's beta `apiKey` entry
    "authParams": ("addTo",),
    "restAttributes": ("headerParamName", "queryParamName", "bodyParamName"),
    "requestParameterOverride": (
        "accessTokenField",
        "refreshTokenField",
        "expireInField",
        "clientId",
        "clientSecret",
        "authenticationMethod",
    ),
}

# Keys that Adobe's documents (seeds/ and tests/fixtures/adobe/) carry and the tap does not
# need: connection-spec metadata, catalog display data, the format's own description.
ADOBE: dict[str, tuple[str, ...]] = {
    "document": (
        "providerId",
        "version",
        "type",
        "attributes",
        "exploreSpec",
        "id",
        "createdAt",
        "updatedAt",
        "createdBy",
        "updatedBy",
        "createdClient",
        "updatedClient",
        "sandboxId",
        "sandboxName",
        "imsOrgId",
    ),
    "attributes": ("uiAttributes", "spec"),
}

_FOLD = re.compile(r"[\s_-]+")


def check_keys(document: Mapping[str, Any], problems: Problems) -> list[str]:
    """Note a did-you-mean problem for each near miss; return the other unknown keys' paths."""
    unknown: list[str] = []
    for kind, prefix, obj in objects(document):
        known, adobe = KNOWN[kind], ADOBE.get(kind, ())
        if kind == "document" and "sourceSpec" not in document:  # a bare source spec: one object
            known, adobe = (*known, *KNOWN["sourceSpec"]), (*adobe, *ADOBE.get("sourceSpec", ()))
        for key in obj:
            if not isinstance(key, str) or key in known or key in adobe:
                continue
            near = nearest(key, known)
            if near is not None:
                problems.add(f"{prefix}{key}", f"unknown key; did you mean {near!r}?")
                # the parser names attributes' keys without `attributes.`: `contentPath`
                problems.meant.add(near if kind == "attributes" else f"{prefix}{near}")
            else:
                unknown.append(f"{prefix}{key}" + _elsewhere(key, kind))
    return unknown


def objects(document: Mapping[str, Any]) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """(kind, property path prefix, object) of every checked object in a document."""
    yield "document", "", document
    source = document.get("sourceSpec", document)
    if source is not document and isinstance(source, dict):
        yield "sourceSpec", "sourceSpec.", source
    attributes = source.get("attributes") if isinstance(source, dict) else None
    if isinstance(attributes, dict):
        yield "attributes", "attributes.", attributes
        for kind in ("urlParams", "contentPath", "explodeEntityPath", "paginationParams", "scheduleParams"):
            if isinstance(attributes.get(kind), dict):
                yield kind, f"{kind}.", attributes[kind]
    singer = document.get("singer")
    if isinstance(singer, dict):
        yield "singer", "singer.", singer
        if isinstance(singer.get("parent"), dict):
            yield "singer.parent", "singer.parent.", singer["parent"]
    entries = document.get("authSpec")
    for index, entry in enumerate(entries if isinstance(entries, list) else []):
        if isinstance(entry, dict):
            yield "authSpec", f"authSpec[{index}].", entry
            yield from _entry_attributes(entry, f"authSpec[{index}].attributes.")
            yield from _entry_objects(entry, f"authSpec[{index}].spec.properties.")


def _entry_attributes(entry: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """An authSpec entry's `attributes` and its `authParams` (Adobe's beta `apiKey` entry)."""
    attributes = entry.get("attributes")
    if isinstance(attributes, dict):
        yield "authSpec.attributes", prefix, attributes
        if isinstance(attributes.get("authParams"), dict):
            yield "authParams", f"{prefix}authParams.", attributes["authParams"]


def _entry_objects(entry: Mapping[str, Any], prefix: str) -> Iterator[tuple[str, str, Mapping[str, Any]]]:
    """An authSpec entry's `restAttributes` and `requestParameterOverride` (their keys are the contract's)."""
    schema = entry.get("spec")
    properties = schema.get("properties") if isinstance(schema, dict) else None
    for name, prop in (properties if isinstance(properties, dict) else {}).items():
        if not isinstance(prop, dict):
            continue
        if isinstance(prop.get("restAttributes"), dict):
            yield "restAttributes", f"{prefix}{name}.restAttributes.", prop["restAttributes"]
        if name == "requestParameterOverride":
            for part in ("properties", "default"):
                if isinstance(prop.get(part), dict):
                    yield "requestParameterOverride", f"{prefix}{name}.{part}.", prop[part]


def nearest(key: str, known: tuple[str, ...]) -> str | None:
    """The known key `key` is a slip of (any case; `_`, `-` and spaces aside), or None."""
    folded = _fold(key)
    best: tuple[int, str] | None = None
    for candidate in known:
        target = _fold(candidate)
        limit = max(1, len(target) // 5)
        distance = edit_distance(folded, target, limit)
        if distance <= limit and (best is None or distance < best[0]):
            best = (distance, candidate)
    return best[1] if best else None


def edit_distance(a: str, b: str, limit: int) -> int:
    """Optimal string alignment distance (a swap of two neighbours is one edit), capped at `limit + 1`."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    before: list[int] = []
    row = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, other in enumerate(b, 1):
            current[j] = min(row[j] + 1, current[j - 1] + 1, row[j - 1] + (char != other))
            if i > 1 and j > 1 and char == b[j - 2] and a[i - 2] == other:
                current[j] = min(current[j], before[j - 2] + 1)
        before, row = row, current
    return min(row[-1], limit + 1)


def _fold(key: str) -> str:
    return _FOLD.sub("", key).casefold()


def _elsewhere(key: str, kind: str) -> str:
    """` (a key of urlParams)` when `key` belongs to another object: it was put in the wrong place."""
    owners = [k for k, keys in KNOWN.items() if k != kind and key in keys]
    if not owners:
        return ""
    return " (a key of the top level)" if owners[0] == "document" else f" (a key of {owners[0]})"


def warning(file: str, unknown: list[str]) -> str:
    """The one WARNING line of a file's unknown keys."""
    return f"{file}: unknown keys, ignored: {', '.join(unknown)}"

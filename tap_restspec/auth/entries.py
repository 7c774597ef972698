"""A spec's authSpec entries, parsed, and the one a stream uses, with its problems and authenticator.

Each entry type is one class listed in `registry.py`, with its required values, its
checks and its authenticator. The entry used is the one the `auth_spec` setting names
(by name or type), else the first whose values are all at hand; its `spec.properties`
defaults also fill placeholders and may give the host.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Mapping
from typing import Any

from requests.auth import AuthBase

from tap_restspec.auth.base import AuthType, AuthValues, BuildContext, present
from tap_restspec.auth.registry import AUTH_TYPES, folded
from tap_restspec.model.fields import Fields
from tap_restspec.model.spec import AuthEntry, Input, StreamSpec, UnsupportedAuth

LOGGER = logging.getLogger("tap-restspec")
AUTH_HEADER = re.compile(r"(?i)auth|token|api[-_]?key|secret|cookie|session")

def parse_entries(fields: Fields, inputs_of: Any) -> tuple[AuthEntry, ...]:
    """The authSpec array: one typed entry per element (unknown types kept, to be reported)."""
    entries: list[AuthEntry] = []
    for index, raw in enumerate(fields.array("authSpec")):
        entry = Fields(raw, f"authSpec[{index}]", fields.problems)
        if not isinstance(raw, dict):
            continue
        kind = entry.text("type") or ""
        cls = AUTH_TYPES.find(kind)
        schema = entry.object("spec")
        inputs: Mapping[str, Input] = inputs_of(schema)
        declared = schema.strings("required")
        common: dict[str, Any] = {"index": index, "name": entry.text("name") or "", "inputs": inputs}
        if cls is None:
            entries.append(UnsupportedAuth(**common, required=declared or (), raw_type=kind))
            continue
        required = declared if declared is not None else cls.default_required
        entries.append(cls.parse(entry, {**common, "required": tuple(required)}))
    return tuple(entries)


def _named(spec: StreamSpec, wanted: str) -> list[AuthEntry]:
    key = folded(wanted)
    if not key:
        return []
    return [e for e in spec.auth if key in (folded(e.name), folded(e.type or getattr(e, "raw_type", "")))]


def choose(
    spec: StreamSpec, values: AuthValues, wanted: str | None = None
) -> tuple[AuthType | None, list[str]]:
    """The entry in use and, when none can be, the lines saying why (empty when headers authenticate)."""
    if wanted and spec.auth:
        named = _named(spec, wanted)
        if not named:
            known = ", ".join(f"{e.name!r} ({e.type or getattr(e, 'raw_type', '')})" for e in spec.auth)
            return None, [
                f"config: auth_spec: {wanted!r} names no authSpec entry of {spec.file} (it has {known})"
            ]
        candidates = named
    else:
        candidates = list(spec.auth)
    supported = [e for e in candidates if isinstance(e, AuthType)]
    missing = {e.index: _missing(e, values, spec) for e in supported}
    for entry in supported:
        if not missing[entry.index]:
            return entry, []
    if not candidates or (not wanted and _headers_carry_auth(spec)):
        return None, []
    if not supported:
        return None, [
            f"{spec.file}: authSpec[{e.index}].type: {AUTH_TYPES.miss(getattr(e, 'raw_type', ''))} "
            "(send credentials with headerParams instead)"
            for e in candidates
        ]
    # A missing host is the request's problem, which `binding` reports once (naming urlParams.host
    # and the entry where a default would go): an entry that lacks nothing else is the one in use;
    # otherwise the entry nearest to usable (the first on a tie) says what else it lacks.
    lacking = {i: [(p, m) for p, m in found if p != "host"] for i, found in missing.items()}
    for entry in supported:
        if not lacking[entry.index]:
            return entry, []
    nearest = min(supported, key=lambda e: len(lacking[e.index]))
    return None, [f"{spec.file}: authSpec[{nearest.index}].{p}: {m}" for p, m in lacking[nearest.index]]


def _missing(entry: AuthType, values: AuthValues, spec: StreamSpec) -> list[tuple[str, str]]:
    """Required values with none; `host` counts as given when the spec's urlParams has a host."""
    return [(p, m) for p, m in entry.usable(values) if not (p == "host" and spec.request.host is not None)]


def _headers_carry_auth(spec: StreamSpec) -> bool:
    return any(AUTH_HEADER.search(name) for name, _ in spec.request.headers)


def problems(spec: StreamSpec, given: Mapping[str, Any], wanted: str | None = None) -> list[str]:
    """Start-up problems with the spec's authSpec, one line each: `file: authSpec[i].prop: message`."""
    values = AuthValues(spec, given)
    entry, lines = choose(spec, values, wanted)
    if entry is None:
        return lines
    return [f"{spec.file}: authSpec[{entry.index}].{p}: {m}" for p, m in entry.check(values)]


def build(
    entry: AuthType | None, spec: StreamSpec, given: Mapping[str, Any], context: BuildContext
) -> AuthBase:
    """The authenticator of `entry` (`problems` has already reported anything wrong with it)."""
    if entry is None:
        return NoAuth()
    if len(spec.auth) > 1:
        LOGGER.info("Stream %s: authenticating with authSpec[%d] (%s)", spec.name, entry.index, entry.type)
    return entry.build(AuthValues(spec, given), context)


def entry_defaults(entry: AuthEntry | None, values: AuthValues) -> dict[str, Any]:
    """The entry's `spec.properties` defaults as placeholder values (their own placeholders filled)."""
    if entry is None:
        return {}
    out = {}
    for name, value in entry.defaults.items():
        if isinstance(value, str):
            try:
                value = values.fill(value)
            except ValueError:
                continue
        if present(value):
            out[name] = value
    return out


class NoAuth(AuthBase):
    """Leaves the request as it is."""

    def __call__(self, request: Any) -> Any:
        """Return the request unchanged."""
        return request

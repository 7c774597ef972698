"""The typed model of a spec file: frozen dataclasses, built once by `parse/document.py`.

This module imports nothing from the package: every other module depends on it,
never the other way round. Behaviour lives in the modules that own each concern;
the families that grow (pagination types, placements, auth types) have their base
class here and one subclass per kind where it is listed (`paging/types.py`,
`paging/placement.py`, `auth/registry.py`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any, ClassVar

SECRET_SETTINGS = (
    "api_key",
    "username",
    "password",
    "client_id",
    "client_secret",
    "access_token",
    "refresh_token",
)


# --- templates -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Placeholder:
    """`${name}`, `{name}` or `{{name}}` in a spec string."""

    name: str


@dataclass(frozen=True)
class Template:
    """A compiled spec string: literal text, placeholders and ADF expressions (`@{...}`)."""

    source: str
    parts: tuple[Any, ...]  # str | Placeholder | an expression with `evaluate(parameters, now)`

    @property
    def names(self) -> frozenset[str]:
        """The placeholder names this template needs."""
        return frozenset(p.name for p in self.parts if isinstance(p, Placeholder))

    @property
    def single(self) -> str | None:
        """The name, when the whole template is one placeholder (its value keeps its type)."""
        if len(self.parts) == 1 and isinstance(self.parts[0], Placeholder):
            return self.parts[0].name
        return None

    @property
    def literal(self) -> bool:
        """True when the template is plain text."""
        return all(isinstance(p, str) for p in self.parts)


# --- where records sit -----------------------------------------------------------------------


@dataclass(frozen=True)
class Selection:
    """`contentPath` or `explodeEntityPath`: where records sit and which keys they keep."""

    path: str
    keep: tuple[str, ...] | None = None
    skip: tuple[str, ...] = ()
    wrapper: str | None = None  # overrideWrapperAttribute, else the last name in the path


# --- requests --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Placement:
    """Where a value goes in a request: a query parameter, a header, a JSON body path, the URL."""

    kind: ClassVar[str] = ""
    name: str = ""


@dataclass(frozen=True)
class Request:
    """The request templates of a spec, compiled once."""

    host: Template | None  # None: the host comes from a `host` value (params or the authSpec)
    path: Template
    method: str
    query: tuple[tuple[str, Template], ...] = ()
    headers: tuple[tuple[str, Template], ...] = ()
    body: Any = None  # JSON value whose strings are Templates, a Template, or None

    @property
    def json_body(self) -> bool:
        """The body is a JSON object or array (not a string template)."""
        return isinstance(self.body, (dict, list))


# --- pagination ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EndCondition:
    """`endConditionName` / `endConditionValue`: the page where the value at `path` equals `value`."""

    path: str
    value: Any  # `Const:<json>` decoded; otherwise a string compared with the value as text


@dataclass(frozen=True)
class Paging:
    """`paginationParams`: what every type shares; each type adds its own fields."""

    type: ClassVar[str] = ""
    limit_name: str | None = None
    limit_value: int | None = None
    placement: str = "QUERYPARAM"  # where the token, offset, page number and limit go
    end_condition: EndCondition | None = None
    maximum_request: int = 10000
    delay_ms: int = 0


# --- schedule --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """`scheduleParams`: the simple form (parameter names) or `ADVANCE` (query templates)."""

    advance: bool
    start_name: str | None = None
    end_name: str | None = None
    start_format: str = "yyyy-MM-ddTHH:mm:ssZ"
    end_format: str = "yyyy-MM-ddTHH:mm:ssZ"
    param_format: str = "yyyy-MM-ddTHH:mm:ssZ"
    incremental: str | None = None
    backfill: str | None = None


@dataclass(frozen=True)
class Duration:
    """An ISO 8601 duration (`P1D`, `PT6H`, `P1M`): whole months plus a fixed part."""

    text: str
    months: int = 0
    fixed: timedelta = timedelta(0)


# --- user inputs and authentication ---------------------------------------------------------------


@dataclass(frozen=True)
class Input:
    """One declared input (`spec.properties.<name>`, or an authSpec entry's property)."""

    name: str
    types: tuple[str, ...] = ()
    default: Any = None
    has_default: bool = False
    enum: tuple[Any, ...] | None = None
    description: str | None = None
    secret: bool = False  # `"format": "password"`: never a partition, never shown

    @property
    def is_array(self) -> bool:
        """Declared as a JSON array."""
        return "array" in self.types


@dataclass(frozen=True)
class AuthEntry:
    """One `authSpec` entry; each supported type is a registered subclass (see `auth/`)."""

    type: ClassVar[str] = ""
    index: int = 0
    name: str = ""
    inputs: Mapping[str, Input] = field(default_factory=dict)
    required: tuple[str, ...] = ()

    @property
    def defaults(self) -> dict[str, Any]:
        """The `default` of each declared property."""
        return {k: v.default for k, v in self.inputs.items() if v.has_default}


@dataclass(frozen=True)
class UnsupportedAuth(AuthEntry):
    """An entry whose type the tap does not know (reported unless headers authenticate)."""

    raw_type: str = ""


# --- error actions ---------------------------------------------------------------------------------

SKIP, FAIL = "skip", "fail"


@dataclass(frozen=True)
class ErrorActions:
    """`singer.onHttpError`: what an HTTP status (`404`) or class (`4xx`) does to a pass.

    `skip` ends the pass (its partition or child pass) with no records and no error; `fail`,
    the default, fails the stream. An exact status wins over its class.
    """

    rules: tuple[tuple[str, str], ...] = ()  # (status or class, SKIP or FAIL), as the spec lists them

    def skips(self, status: int) -> bool:
        """`status` ends the pass instead of failing the stream."""
        rules = dict(self.rules)
        action = rules.get(str(status), rules.get(f"{status // 100}xx", FAIL))
        return action == SKIP

    def __bool__(self) -> bool:
        return any(action == SKIP for _, action in self.rules)


# --- streams ---------------------------------------------------------------------------------------


NEWEST_FIRST, OLDEST_FIRST = "newest_first", "oldest_first"  # `singer.recordOrder`, by the replication key


@dataclass(frozen=True)
class Parent:
    """`singer.parent`: this stream runs once per record of `stream`, with values taken from it."""

    stream: str
    values: tuple[tuple[str, str], ...]  # (placeholder name, JSONPath into the parent record)


@dataclass(frozen=True)
class StreamSpec:
    """One spec file, ready to become one stream."""

    file: str
    name: str
    request: Request
    content: Selection
    explode: Selection | None = None
    pagination: Paging = field(default_factory=Paging)
    schedule: Schedule | None = None
    schema: dict[str, Any] | None = None
    inputs: Mapping[str, Input] = field(default_factory=dict)
    required: tuple[str, ...] = ()
    primary_keys: tuple[str, ...] = ()
    replication_key: str | None = None
    is_sorted: bool = False
    record_order: str | None = None  # `singer.recordOrder`: NEWEST_FIRST, OLDEST_FIRST or None (unknown)
    auth: tuple[AuthEntry, ...] = ()
    window_step: Duration | None = None
    parent: Parent | None = None
    description: str | None = None
    on_http_error: ErrorActions = field(default_factory=ErrorActions)

    @property
    def defaults(self) -> dict[str, Any]:
        """`sourceSpec.spec.properties` defaults."""
        return {k: v.default for k, v in self.inputs.items() if v.has_default}

    @property
    def windowed(self) -> bool:
        """The bookmark is the window's end (a schedule and no replication key)."""
        return self.schedule is not None and not self.replication_key

    @property
    def incremental(self) -> bool:
        """Windowed, or bookmarked on a record field; otherwise every run reads everything."""
        return self.schedule is not None or bool(self.replication_key)

"""Where a value goes in a request: one class per place a spec's `parameterType` names.

Pagination puts its token, offset, page number and limit through these, so a new place
(say, a form field) is one class here, listed in `PLACEMENTS`. `WholeURL` is no
`parameterType`: a `POINTER` page's link replaces the URL with it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from singer_sdk.streams.rest import HTTPRequest

from tap_restspec.expr.template import as_text, check_header_value
from tap_restspec.model.registry import Registry
from tap_restspec.model.spec import Placement


class Placing(Placement):
    """A placement that can put a value into a request."""

    def put(self, request: HTTPRequest, value: Any) -> None:
        """Set `value` at this place of `request` (None: leave the request as it is)."""
        raise NotImplementedError


@dataclass(frozen=True)
class QueryParam(Placing):
    """A query parameter."""

    kind = "QUERYPARAM"

    def put(self, request: HTTPRequest, value: Any) -> None:
        """`?name=value`."""
        if value is not None:
            request.params[self.name] = value


@dataclass(frozen=True)
class HeaderParam(Placing):
    """A request header."""

    kind = "HEADERPARAM"

    def put(self, request: HTTPRequest, value: Any) -> None:
        """`name: value`, refused when the value would break the header."""
        if value is not None:
            request.headers = {**request.headers, self.name: check_header_value(self.name, as_text(value))}


@dataclass(frozen=True)
class BodyParam(Placing):
    """A dot path in a JSON body (`paging.after`); objects along the path are copied, not shared."""

    kind = "BODYPARAM"

    def put(self, request: HTTPRequest, value: Any) -> None:
        """Set the value at the dot path, creating objects on the way (ValueError: no object body)."""
        if value is None:
            return
        if request.data is not None and not isinstance(request.data, dict):
            kind = "an array" if isinstance(request.data, list) else "not a JSON object"
            raise ValueError(
                f"parameterType BODYPARAM: the body is {kind}, so {self.name!r} has no place in it"
            )
        body = dict(request.data) if isinstance(request.data, dict) else {}
        node = body
        *parents, last = self.name.split(".")
        for key in parents:
            child = node.get(key)
            node[key] = dict(child) if isinstance(child, dict) else {}
            node = node[key]
        node[last] = value
        request.data = body


@dataclass(frozen=True)
class WholeURL(Placing):
    """The whole URL (a `POINTER` link): it replaces the URL and its query."""

    kind = "URL"

    def put(self, request: HTTPRequest, value: Any) -> None:
        """The link as given; the spec's query is already in it."""
        if value is not None:
            request.url = str(value)
            request.params = {}


# What `parameterType` may say, in the order a message lists them.
PLACEMENTS: Registry[Placing] = Registry(
    "kind",
    (
        QueryParam,
        HeaderParam,
        BodyParam,
    ),
)


def placement(kind: str, name: str) -> Placing:
    """The placement of `kind` (a name in PLACEMENTS) for `name`."""
    return PLACEMENTS[kind](name)

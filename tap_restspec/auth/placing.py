"""Keys put into a request where an authSpec entry says: a header, a query parameter or a field
of the JSON body (`KeyBased`'s `restAttributes`, the beta `apiKey`'s `addTo`).

The key goes in as the request is signed, so every request of the stream carries it, next-page
URLs included (a key the API echoes back in a next link is replaced, never doubled); every value
is a secret, registered with the redactor by the entry that builds this.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from urllib.parse import quote, unquote_plus, urlsplit, urlunsplit

import requests
from requests.auth import AuthBase

HEADER, QUERY, BODY = "header", "query", "body"
PLACES = (HEADER, QUERY, BODY)


class KeyPlacer(AuthBase):
    """Sets each key in its place: `keys` maps (place, name) to the value."""

    def __init__(self, keys: Mapping[tuple[str, str], str]) -> None:
        self.headers = {name: value for (place, name), value in keys.items() if place == HEADER}
        self.query = {name: value for (place, name), value in keys.items() if place == QUERY}
        self.body = {name: value for (place, name), value in keys.items() if place == BODY}

    def __call__(self, request: requests.PreparedRequest) -> requests.PreparedRequest:
        """Put the keys into `request`."""
        request.headers.update(self.headers)
        if self.query and request.url:
            request.url = with_query(request.url, self.query)
        if self.body:
            with_body_fields(request, self.body)
        return request


def with_query(url: str, values: Mapping[str, str]) -> str:
    """`url` with each of `values` as a query parameter, replacing any of that name."""
    parts = urlsplit(url)
    kept = [p for p in parts.query.split("&") if p and unquote_plus(p.partition("=")[0]) not in values]
    added = [f"{quote(name, safe='')}={quote(value, safe='')}" for name, value in values.items()]
    return urlunsplit(parts._replace(query="&".join(kept + added)))


def with_body_fields(request: requests.PreparedRequest, values: Mapping[str, str]) -> None:
    """Set top-level fields of the request's JSON object body (the entry checked that it has one)."""
    body = request.body
    text = body.decode() if isinstance(body, bytes) else body or "{}"
    document = json.loads(text)
    if not isinstance(document, dict):
        return  # not a JSON object: the start-up check refuses such a spec
    document.update(values)
    request.body = json.dumps(document).encode()
    request.headers["Content-Length"] = str(len(request.body))
    request.headers.setdefault("Content-Type", "application/json")

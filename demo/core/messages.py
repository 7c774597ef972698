"""What the demo's handlers and the tests' handlers see and answer: ``Request``, ``Reply``."""

from __future__ import annotations

import json
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote, unquote, urlencode

JSON_TYPE = "application/json; charset=utf-8"


class Headers(dict[str, str]):
    """Header names in lower case; lookups in any case."""

    def __init__(self, headers: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        super().__init__({k.lower(): v for k, v in dict(headers).items()})

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)


@dataclass
class Request:
    """One request as received, and (once answered) the status it got."""

    method: str
    path: str  # as sent, still percent-encoded
    query: dict[str, list[str]]
    raw_query: str
    headers: dict[str, str]  # names in lower case, lookups in any case
    body: bytes
    host: str = ""
    sent_headers: dict[str, str] = field(default_factory=dict)  # names as sent
    status: int | None = None
    time: float = field(default_factory=time.time)

    def __post_init__(self) -> None:
        if not isinstance(self.headers, Headers):
            self.headers = Headers(self.headers)

    @property
    def route(self) -> str:
        """The path, percent-decoded, for routing."""
        return unquote(self.path)

    @property
    def text(self) -> str:
        return self.body.decode("utf-8", "replace")

    def q(self, name: str) -> str | None:
        """The last value of a query parameter."""
        values = self.query.get(name)
        return values[-1] if values else None

    def json(self) -> Any:
        return json.loads(self.body)

    def kept(self, *drop: str) -> list[tuple[str, str]]:
        """The query pairs, in order, without the named parameters."""
        return [(k, v) for k, values in self.query.items() if k not in drop for v in values]

    def link(self, path: str, params: Iterable[tuple[str, str]] = ()) -> str:
        """An absolute URL on the host the client asked for."""
        query = urlencode(list(params), quote_via=quote, safe=":")
        return f"http://{self.host}{path}" + (f"?{query}" if query else "")

    def as_dict(self) -> dict[str, Any]:
        """The demo's log entry: method, path, query, params, headers, body, status, time."""
        return {
            "method": self.method,
            "path": self.path,
            "query": self.raw_query,
            "params": {k: list(v) for k, v in self.query.items()},
            "headers": dict(self.sent_headers or self.headers),
            "body": self.text,
            "status": self.status,
            "time": self.time,
        }


@dataclass
class Reply:
    """What the server answers: status, headers, body; `cut` sends only part of the body."""

    status: int = 200
    body: Any = None
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0
    cut: bool = False
    drop: bool = False
    raw: bytes | str | None = None

    def payload(self) -> bytes:
        if self.raw is not None:
            return self.raw.encode() if isinstance(self.raw, str) else self.raw
        return b"" if self.body is None else json.dumps(self.body).encode()


def json_reply(body: Any, status: int = 200, headers: Mapping[str, str] | None = None) -> Reply:
    """A compact JSON answer, encoded now (so later changes to the data cannot race it)."""
    data = json.dumps(body, separators=(",", ":")).encode()
    return Reply(status, raw=data, headers={"Content-Type": JSON_TYPE, **(headers or {})})


class ApiError(Exception):
    """An error answer, raised from anywhere inside a handler."""

    def __init__(self, status: int, body: Any, headers: Mapping[str, str] | None = None) -> None:
        super().__init__(status)
        self.status = status
        self.body = body
        self.reply = json_reply(body, status, headers)

"""A fast local mock API for benchmarks: one dataset, four kinds of pagination.

    python bench/mock_api.py --records 200000 --port 8799 [--latency-ms 50]

Every record is rendered to JSON bytes once, at start-up; a page is the join of its
records' bytes, so serving a page costs a slice, a join and a socket write. The server
is a bare asyncio HTTP/1.1 loop (keep-alive, GET only) in its own process.

Endpoints (records at `$.items`):

    /offset?limit=L&offset=O     OFFSET: records O..O+L
    /page?page=P&size=S          PAGE: page P (from 0) of S records
    /pointer?limit=L[&start=K]   POINTER: `next` is the absolute URL of the next page, or null
    /token?limit=L[&cursor=C]    CONTINUATION_TOKEN: `next_cursor` is the next token, or null

Records are Mailchimp-member-like, about 720 bytes (`make_record`). With `--small`, the
same four endpoints under `/small` (`/small/offset?...`) serve smaller ones, about 460
bytes (`make_small_record`: 16 fields, one nested object, a short list of strings).

`--utc-offset 2` writes the timestamps with that offset (`+02:00`) instead of `+00:00`,
the same instants. `--latency-ms` delays every answer (an `asyncio.sleep`, so other
connections are served meanwhile), as a remote API would. When it listens it prints one
line, `ready <url>`, to stdout.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys
import time
from datetime import datetime, timedelta, timezone
from urllib.parse import parse_qsl, urlsplit

import orjson

DEFAULT_LIMIT = 100
EPOCH = 1_577_836_800  # 2020-01-01T00:00:00Z
STATUSES = ("subscribed", "subscribed", "subscribed", "unsubscribed", "cleaned", "pending")
FIRST = ("Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Margaret", "Linus", "Guido", "Radia")
LAST = ("Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Hamilton", "Torvalds", "Rossum")
CITIES = (
    ("Atlanta", "GA", "30301", 33.749, -84.388, -5, "America/New_York"),
    ("Denver", "CO", "80201", 39.7392, -104.9903, -7, "America/Denver"),
    ("Seattle", "WA", "98101", 47.6062, -122.3321, -8, "America/Los_Angeles"),
    ("Chicago", "IL", "60601", 41.8781, -87.6298, -6, "America/Chicago"),
)
TAGS = ("customer", "newsletter", "vip", "webinar-2023", "trial", "churned", "beta")


def iso(seconds: int, zone: timezone = timezone.utc) -> str:
    """Mailchimp's timestamp style: `2020-01-01T00:00:00+00:00` (or another offset)."""
    return datetime.fromtimestamp(seconds, zone).isoformat()


def make_record(i: int, zone: timezone = timezone.utc) -> dict[str, object]:
    """Record `i`: deterministic, Mailchimp-member-like, 16 top-level fields."""
    h = (i * 2_654_435_761) & 0xFFFFFFFF
    first, last = FIRST[i % len(FIRST)], LAST[h % len(LAST)]
    city, state, zipcode, lat, lon, gmtoff, tz = CITIES[h % len(CITIES)]
    signup = EPOCH + i * 97 + h % 3600
    return {
        "id": f"{h:08x}{(i * 0x9E3779B97F4A7C15) & (2**96 - 1):024x}",
        "email_address": f"{first.lower()}.{last.lower()}.{i}@example{h % 50}.com",
        "unique_email_id": f"{(h ^ 0x5BD1E995):010x}",
        "web_id": 100_000 + i,
        "email_type": "html" if h % 5 else "text",
        "status": STATUSES[h % len(STATUSES)],
        "merge_fields": {
            "FNAME": first,
            "LNAME": last,
            "ADDRESS": {"addr1": f"{h % 9000 + 100} Main St", "city": city, "state": state, "zip": zipcode},
            "PHONE": f"+1-555-{h % 10000:04d}",
        },
        "stats": {"avg_open_rate": (h % 1000) / 1000.0, "avg_click_rate": (h % 377) / 1000.0},
        "timestamp_signup": iso(signup, zone),
        "last_changed": iso(signup + h % 86_400_000, zone),
        "member_rating": h % 6,
        "vip": h % 17 == 0,
        "location": {
            "latitude": lat + (h % 100) / 1000.0,
            "longitude": lon - (h % 100) / 1000.0,
            "gmtoff": gmtoff,
            "country_code": "US",
            "timezone": tz,
        },
        "tags_count": h % 4,
        "tags": [{"id": 1000 + (h + k) % 7, "name": TAGS[(h + k) % 7]} for k in range(h % 4)],
        "list_id": "a1b2c3d4e5",
    }


LANGUAGES = ("en", "en", "fr", "de", "es", "pt")
CLIENTS = ("Gmail", "Apple Mail", "Outlook", "Yahoo")


def make_small_record(i: int, zone: timezone = timezone.utc) -> dict[str, object]:
    """Record `i` of the small shape: 16 top-level fields, one nested object, a list of strings."""
    h = (i * 2_654_435_761) & 0xFFFFFFFF
    first, last = FIRST[i % len(FIRST)], LAST[h % len(LAST)]
    signup = EPOCH + i * 97 + h % 3600
    return {
        "id": f"{h:08x}{(i * 0x9E3779B97F4A7C15) & (2**96 - 1):024x}",
        "email_address": f"{first.lower()}.{last.lower()}.{i}@example{h % 50}.com",
        "unique_email_id": f"{(h ^ 0x5BD1E995):010x}",
        "web_id": 100_000 + i,
        "email_type": "html" if h % 5 else "text",
        "status": STATUSES[h % len(STATUSES)],
        "merge_fields": {"FNAME": first, "LNAME": last},
        "ip_signup": f"198.51.{h % 256}.{h % 251}",
        "timestamp_signup": iso(signup, zone),
        "language": LANGUAGES[h % len(LANGUAGES)],
        "member_rating": h % 6,
        "vip": h % 17 == 0,
        "last_changed": iso(signup + h % 86_400_000, zone),
        "email_client": CLIENTS[h % len(CLIENTS)],
        "tags": [TAGS[(h + k) % 7] for k in range(h % 4)],
        "list_id": "a1b2c3d4e5",
    }


class Dataset:
    """The records, each as JSON bytes, and the page bodies built from them."""

    def __init__(self, total: int, utc_offset: float = 0, small: bool = False) -> None:
        dumps = orjson.dumps
        self.total = total
        zone = timezone(timedelta(hours=utc_offset)) if utc_offset else timezone.utc
        make = make_small_record if small else make_record
        self.records = [dumps(make(i, zone)) for i in range(total)]

    def items(self, start: int, count: int) -> tuple[bytes, int]:
        start = max(0, start)
        end = min(self.total, start + max(0, count))
        return b'{"items":[' + b",".join(self.records[start:end]) + b"]", end

    def respond(self, target: str, host: str) -> tuple[int, bytes]:
        """Status and body for one request target (path and query)."""
        parts = urlsplit(target)
        query = dict(parse_qsl(parts.query))
        try:
            if parts.path == "/offset":
                limit = int(query.get("limit", DEFAULT_LIMIT))
                body, _ = self.items(int(query.get("offset", 0)), limit)
                return 200, body + b',"total_items":%d}' % self.total
            if parts.path == "/page":
                size = int(query.get("size", DEFAULT_LIMIT))
                body, _ = self.items(int(query.get("page", 0)) * size, size)
                return 200, body + b',"total_items":%d}' % self.total
            if parts.path == "/pointer":
                limit = int(query.get("limit", DEFAULT_LIMIT))
                body, end = self.items(int(query.get("start", 0)), limit)
                link = f'"http://{host}/pointer?limit={limit}&start={end}"' if end < self.total else "null"
                return 200, body + b',"next":' + link.encode() + b"}"
            if parts.path == "/token":
                limit = int(query.get("limit", DEFAULT_LIMIT))
                cursor = query.get("cursor", "")
                start = int(cursor[1:], 16) if cursor.startswith("c") else 0
                body, end = self.items(start, limit)
                token = b'"c%08x"' % end if end < self.total else b"null"
                return 200, body + b',"next_cursor":' + token + b"}"
        except ValueError as exc:
            return 400, orjson.dumps({"error": str(exc)})
        return 404, b'{"error":"not found"}'


class Http(asyncio.Protocol):
    """HTTP/1.1 with keep-alive; requests have no body (GET).

    With a latency, each request is answered that long after it arrived, by one task per
    connection (answers stay in order); other connections are not held up meanwhile.
    """

    def __init__(self, data: Dataset, latency: float, small: Dataset | None = None) -> None:
        self.data = data
        self.small = small
        self.latency = latency
        self.buffer = b""
        self.transport: asyncio.Transport | None = None
        self.queue: asyncio.Queue[tuple[float, str, str, bool]] = asyncio.Queue()
        self.worker: asyncio.Task[None] | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        if self.latency:
            self.worker = asyncio.get_running_loop().create_task(self.answer_later())

    def connection_lost(self, exc: Exception | None) -> None:
        self.transport = None
        if self.worker is not None:
            self.worker.cancel()

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None:
            end = self.buffer.find(b"\r\n\r\n")
            if end < 0:
                return
            head, self.buffer = self.buffer[:end], self.buffer[end + 4 :]
            lines = head.decode("latin-1").split("\r\n")
            target = lines[0].split(" ")[1] if lines[0].count(" ") >= 2 else "/"
            host, close = "127.0.0.1", False
            for line in lines[1:]:
                name, _, value = line.partition(":")
                name = name.strip().lower()
                if name == "host":
                    host = value.strip()
                elif name == "connection" and value.strip().lower() == "close":
                    close = True
            if self.latency:
                self.queue.put_nowait((time.monotonic() + self.latency, target, host, close))
            else:
                self.answer(target, host, close)

    async def answer_later(self) -> None:
        while True:
            due, target, host, close = await self.queue.get()
            await asyncio.sleep(max(0.0, due - time.monotonic()))
            self.answer(target, host, close)

    def answer(self, target: str, host: str, close: bool) -> None:
        if self.transport is None:
            return
        data = self.data
        if self.small is not None and target.startswith("/small/"):
            data, target = self.small, target[len("/small") :]
        status, body = data.respond(target, host)
        reason = {200: b"OK", 400: b"Bad Request", 404: b"Not Found"}[status]
        self.transport.write(
            b"HTTP/1.1 %d %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n"
            % (status, reason, len(body))
            + body
        )
        if close:
            self.transport.close()
            self.transport = None


async def serve(data: Dataset, host: str, port: int, latency: float, small: Dataset | None) -> None:
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Http(data, latency, small), host, port, backlog=128)
    bound = server.sockets[0].getsockname()
    print(f"ready http://{bound[0]}:{bound[1]}", flush=True)
    async with server:
        await server.serve_forever()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--records", type=int, default=200_000, help="total records (default 200000)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8799, help="0: any free port (default 8799)")
    parser.add_argument("--latency-ms", type=float, default=0, help="wait before each answer (default 0)")
    parser.add_argument("--utc-offset", type=float, default=0, help="hours; timestamps' offset (default 0)")
    parser.add_argument("--small", action="store_true", help="also the small records, under /small")
    args = parser.parse_args()
    started = time.perf_counter()
    data = Dataset(args.records, args.utc_offset)
    small = Dataset(args.records, args.utc_offset, small=True) if args.small else None
    size = sum(map(len, data.records)) + (sum(map(len, small.records)) if small else 0)
    print(
        f"mock_api: {args.records} records{' (and as many small ones)' if small else ''}, "
        f"{size / 1e6:.0f} MB of JSON, "
        f"rendered in {time.perf_counter() - started:.1f}s",
        file=sys.stderr,
        flush=True,
    )
    with contextlib.suppress(KeyboardInterrupt):
        asyncio.run(serve(data, args.host, args.port, args.latency_ms / 1000, small))


if __name__ == "__main__":
    main()

"""The floor: the least a Python tap must do, to measure tap-restspec against.

    python bench/floor.py --url http://127.0.0.1:8799 --limit 1000 [--type offset] > /dev/null

A `requests.Session` pages through the mock API, `orjson` parses each page and writes
one Singer RECORD line per record to a buffered stdout (one SCHEMA first, one STATE last).
No schema handling, no validation, no framework: the practical speed limit.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterator
from datetime import datetime, timezone
from typing import Any

import orjson
import requests

STREAM = "items"


def pages(session: requests.Session, url: str, kind: str, limit: int) -> Iterator[list[Any]]:
    """The records of each page, for one pagination type of the mock API."""
    if kind in ("offset", "page"):
        offset = page = 0
        while True:
            query = {"limit": limit, "offset": offset} if kind == "offset" else {"size": limit, "page": page}
            response = session.get(f"{url}/{kind}", params=query)
            response.raise_for_status()
            items = orjson.loads(response.content)["items"]
            yield items
            if len(items) < limit:
                return
            offset, page = offset + len(items), page + 1
    elif kind == "pointer":
        next_url: str | None = f"{url}/pointer?limit={limit}"
        while next_url:
            response = session.get(next_url)
            response.raise_for_status()
            body = orjson.loads(response.content)
            yield body["items"]
            next_url = body.get("next")
    elif kind == "token":
        cursor: str | None = None
        while True:
            params: dict[str, int | str] = {"limit": limit}
            if cursor:
                params["cursor"] = cursor
            response = session.get(f"{url}/token", params=params)
            response.raise_for_status()
            body = orjson.loads(response.content)
            yield body["items"]
            cursor = body.get("next_cursor")
            if not cursor:
                return
    else:
        raise SystemExit(f"unknown type {kind!r}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--url", default="http://127.0.0.1:8799", help="the mock API")
    parser.add_argument("--limit", type=int, default=1000, help="page size")
    parser.add_argument("--type", default="offset", choices=("offset", "page", "pointer", "token"))
    args = parser.parse_args()
    dumps, newline = orjson.dumps, orjson.OPT_APPEND_NEWLINE
    with open(sys.stdout.fileno(), "wb", buffering=1 << 16, closefd=False) as out:
        schema = {"type": "SCHEMA", "stream": STREAM, "schema": {"type": "object"}, "key_properties": ["id"]}
        out.write(dumps(schema, option=newline))
        with requests.Session() as session:
            for items in pages(session, args.url.rstrip("/"), args.type, args.limit):
                extracted = datetime.now(timezone.utc).isoformat()
                for record in items:
                    message = {
                        "type": "RECORD",
                        "stream": STREAM,
                        "record": record,
                        "time_extracted": extracted,
                    }
                    out.write(dumps(message, option=newline))
        out.write(dumps({"type": "STATE", "value": {"bookmarks": {STREAM: {}}}}, option=newline))


if __name__ == "__main__":
    main()

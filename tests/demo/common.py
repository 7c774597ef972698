"""What the demo API's tests share: a fixed clock, each API's credentials, and walkers that
page through an endpoint the way its API documents (each returns the ids in order and the
number of requests made)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import requests

from demo.api import DemoAPI
from demo.data.times import parse_time

ROOT = Path(__file__).resolve().parents[2]


UTC = timezone.utc


NOW = datetime(2025, 3, 1, 12, 0, 0, tzinfo=UTC)


LATER = NOW + timedelta(hours=2)


MAILCHIMP: dict[str, Any] = {"auth": ("anystring", "0123456789abcdef-us21")}


ZENDESK: dict[str, Any] = {"auth": ("agent@example.com/token", "zendesk-api-token")}


BEARER: dict[str, Any] = {"headers": {"Authorization": "Bearer demo-token"}}


SIZES = {
    "members": 60,
    "emails": 30,
    "users": 70,
    "sources": 12,
    "audit_events": 80,
    "contacts": 45,
    "conversations": 40,
}


def get(
    http: requests.Session, api: DemoAPI, path: str, creds: dict[str, Any], **params: Any
) -> requests.Response:
    return http.get(api.url + path, params=params or None, timeout=10, **creds)


def epoch(value: str) -> float:
    return parse_time(value).timestamp()


Walker = Callable[[requests.Session, DemoAPI, dict[str, Any]], tuple[list[Any], int]]


def walk_offset(path: str, key: str, id_key: str, count: int) -> Walker:
    def walk(http: requests.Session, api: DemoAPI, extra: dict[str, Any]) -> tuple[list[Any], int]:
        ids, offset, calls = [], 0, 0
        while True:
            r = get(http, api, path.format(api=api), MAILCHIMP, count=count, offset=offset, **extra)
            calls += 1
            assert r.status_code == 200, r.text
            body = r.json()
            page = body[key]
            ids += [row[id_key] for row in page]
            assert body["total_items"] >= len(ids)
            if len(page) < count:
                return ids, calls
            offset += len(page)

    return walk


def walk_zendesk(size: int) -> Walker:
    def walk(http: requests.Session, api: DemoAPI, extra: dict[str, Any]) -> tuple[list[Any], int]:
        params = {"query": "type:user", "filter[type]": "user", "page[size]": size, **extra}
        ids, calls = [], 0
        while True:
            r = get(http, api, "/api/v2/search/export", ZENDESK, **params)
            calls += 1
            assert r.status_code == 200, r.text
            body = r.json()
            ids += [row["id"] for row in body["results"]]
            cursor = body["meta"]["after_cursor"]
            if not cursor:
                return ids, calls
            params["page[after]"] = cursor

    return walk


def walk_segment(path: str, key: str, count: int) -> Walker:
    def walk(http: requests.Session, api: DemoAPI, extra: dict[str, Any]) -> tuple[list[Any], int]:
        params: dict[str, Any] = {"pagination.count": count, **extra}
        ids, calls = [], 0
        while True:
            r = get(http, api, path, BEARER, **params)
            calls += 1
            assert r.status_code == 200, r.text
            data = r.json()["data"]
            ids += [row["id"] for row in data[key]]
            token = data["pagination"]["next"]
            if token is None:
                return ids, calls
            params["pagination.cursor"] = token

    return walk


def walk_hubspot(limit: int) -> Walker:
    def walk(http: requests.Session, api: DemoAPI, extra: dict[str, Any]) -> tuple[list[Any], int]:
        url: str | None = f"{api.url}/crm/v3/objects/contacts"
        params: dict[str, Any] | None = {"limit": limit, **extra}
        ids, calls = [], 0
        while url:
            r = http.get(url, params=params, timeout=10, **BEARER)
            calls += 1
            assert r.status_code == 200, r.text
            body = r.json()
            ids += [row["id"] for row in body["results"]]
            url, params = body.get("paging", {}).get("next", {}).get("link"), None
        return ids, calls

    return walk


def walk_helpscout(http: requests.Session, api: DemoAPI, extra: dict[str, Any]) -> tuple[list[Any], int]:
    ids, page, calls = [], 1, 0
    while True:
        params = {
            "status": "all",
            "sortField": "createdAt",
            "sortOrder": "asc",
            "page": page,
            **extra,
        }
        r = get(http, api, "/v2/conversations", BEARER, **params)
        calls += 1
        assert r.status_code == 200, r.text
        rows = r.json().get("_embedded", {}).get("conversations", [])
        ids += [row["id"] for row in rows]
        if len(rows) < 25:
            return ids, calls
        page += 1


MEMBERS = walk_offset("/3.0/lists/{api.list_id}/members", "members", "id", 100)


ACTIVITY = walk_offset("/3.0/reports/{api.campaign_id}/email-activity", "emails", "email_id", 50)

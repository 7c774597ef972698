"""Stripe (demo/vendors/stripe.py): customers newest first, `starting_after` and `has_more`,
`created[...]` in Unix seconds, the secret key as Basic user name or bearer token, its errors."""

from __future__ import annotations

import requests

from demo.api import DemoAPI
from tests.demo.common import BEARER, get

CUSTOMERS = "/v1/customers"
KEY = {"auth": ("sk_test_4eC39HqLyjWDarjtT1zdp7dc", "")}  # Basic, the key as user name, no password


def test_every_customer_once_newest_first_by_starting_after(api: DemoAPI, http: requests.Session) -> None:
    seen, created, after, calls = [], [], None, 0
    while True:
        params = {"limit": 100, **({"starting_after": after} if after else {})}
        body = get(http, api, CUSTOMERS, KEY, **params).json()
        calls += 1
        assert body["object"] == "list" and body["url"] == "/v1/customers"
        seen += [c["id"] for c in body["data"]]
        created += [c["created"] for c in body["data"]]
        if not body["has_more"]:
            break
        after = body["data"][-1]["id"]
    assert sorted(seen) == sorted(api.ids("stripe_customers")) and calls == 3
    assert created == sorted(created, reverse=True)
    assert all(isinstance(c, int) for c in created)


def test_created_bounds_are_unix_seconds(api: DemoAPI, http: requests.Session) -> None:
    stamps = sorted(c["created"] for c in api.records("stripe_customers"))
    at = stamps[150]
    gte = get(http, api, CUSTOMERS, BEARER, limit=100, **{"created[gte]": at}).json()["data"]
    assert sorted(c["created"] for c in gte) == [s for s in stamps if s >= at]  # inclusive
    gt = get(http, api, CUSTOMERS, BEARER, limit=100, **{"created[gt]": at}).json()["data"]
    assert at not in {c["created"] for c in gt}
    bad = get(http, api, CUSTOMERS, BEARER, **{"created[gte]": "2024-01-01T00:00:00Z"})
    assert bad.status_code == 400
    assert bad.json()["error"]["param"] == "created[gte]"
    assert bad.json()["error"]["type"] == "invalid_request_error"


def test_default_limit_and_its_bounds(api: DemoAPI, http: requests.Session) -> None:
    assert len(get(http, api, CUSTOMERS, KEY).json()["data"]) == 10
    assert get(http, api, CUSTOMERS, KEY, limit=101).status_code == 400


def test_credentials_and_errors_are_stripes(api: DemoAPI, http: requests.Session) -> None:
    missing = get(http, api, CUSTOMERS, {})
    assert missing.status_code == 401
    assert "You did not provide an API key" in missing.json()["error"]["message"]
    assert get(http, api, CUSTOMERS, {"auth": ("", "password")}).status_code == 401
    assert get(http, api, CUSTOMERS, BEARER).status_code == 200
    unknown = get(http, api, CUSTOMERS, KEY, starting_after="cus_nobody")
    assert unknown.status_code == 400 and unknown.json()["error"]["code"] == "resource_missing"

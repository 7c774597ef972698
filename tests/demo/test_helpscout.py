"""Help Scout (demo/vendors/helpscout.py): its pages, an empty page without ``_embedded``, the
token endpoint and strict tokens."""

from __future__ import annotations

from typing import Any

import pytest
import requests

from demo.api import DemoAPI
from demo.vendors.helpscout import HelpScout
from tests.demo.common import BEARER, NOW, epoch, get


def test_helpscout_pages(api: DemoAPI, http: requests.Session) -> None:
    active = get(http, api, "/v2/conversations", BEARER).json()
    assert {c["status"] for c in active["_embedded"]["conversations"]} == {"active"}
    every = get(http, api, "/v2/conversations", BEARER, status="all", page=5).json()
    assert every["page"] == {"size": 25, "totalElements": 110, "totalPages": 5, "number": 5}
    assert len(every["_embedded"]["conversations"]) == 10
    assert "next" not in every["_links"] and "status=all" in every["_links"]["previous"]["href"]
    desc = get(http, api, "/v2/conversations", BEARER, status="all").json()["_embedded"]["conversations"]
    assert [epoch(c["createdAt"]) for c in desc] == sorted(
        (epoch(c["createdAt"]) for c in desc), reverse=True
    )


@pytest.mark.parametrize(
    ("conversations", "page"), [(0, 1), (50, 3)], ids=["empty-mailbox", "after-the-last"]
)
def test_helpscout_page_without_conversations_has_no_embedded(
    http: requests.Session, conversations: int, page: int
) -> None:
    with DemoAPI(seed=2, now=NOW, conversations=conversations) as api:
        body = get(http, api, "/v2/conversations", BEARER, status="all", page=page).json()
    assert set(body) == {"_links", "page"}  # no "_embedded" at all, as Help Scout answers
    assert body["page"]["totalElements"] == conversations and body["page"]["number"] == page
    assert {"self", "first", "last", "page"} <= set(body["_links"]) and "next" not in body["_links"]


TOKEN = {"grant_type": "refresh_token", "refresh_token": "r", "client_id": "i", "client_secret": "s"}


TOKEN_CASES = [
    ("refresh-form", {"data": TOKEN}, 200, True),
    ("refresh-json", {"json": TOKEN}, 200, True),
    ("client-credentials", {"data": {**TOKEN, "grant_type": "client_credentials"}}, 200, False),
    ("no-secret", {"data": {k: v for k, v in TOKEN.items() if k != "client_secret"}}, 401, False),
    ("no-refresh-token", {"data": {k: v for k, v in TOKEN.items() if k != "refresh_token"}}, 400, False),
    ("bad-grant", {"data": {**TOKEN, "grant_type": "password"}}, 400, False),
]


@pytest.mark.parametrize(
    ("body", "status", "refresh"), [c[1:] for c in TOKEN_CASES], ids=[c[0] for c in TOKEN_CASES]
)
def test_helpscout_token_endpoint(
    api: DemoAPI, http: requests.Session, body: dict[str, Any], status: int, refresh: bool
) -> None:
    r = http.post(f"{api.url}/v2/oauth2/token", timeout=10, **body)
    assert r.status_code == status
    if status == 200:
        token = r.json()
        assert token["token_type"] == "bearer" and token["expires_in"] == 172800 and token["access_token"]
        assert ("refresh_token" in token) is refresh
    else:
        assert "error" in r.json()


def test_strict_tokens_only_accept_issued_ones(http: requests.Session) -> None:
    with DemoAPI(seed=1, now=NOW, conversations=5, strict_tokens=True) as strict:
        stale = {"headers": {"Authorization": "Bearer stale"}}
        assert get(http, strict, "/v2/conversations", stale).status_code == 401
        token = http.post(f"{strict.url}/v2/oauth2/token", data=TOKEN, timeout=10).json()["access_token"]
        fresh_token = {"headers": {"Authorization": f"Bearer {token}"}}
        assert get(http, strict, "/v2/conversations", fresh_token).status_code == 200
        strict.vendor(HelpScout).tokens.revoke()
        assert get(http, strict, "/v2/conversations", fresh_token).status_code == 401
        issued = {
            "headers": {"Authorization": f"Bearer {strict.vendor(HelpScout).tokens.issue()['access_token']}"}
        }
        assert get(http, strict, "/v2/conversations", issued).status_code == 200
        # the other APIs keep accepting any token
        assert get(http, strict, "/crm/v3/objects/contacts", stale).status_code == 200

"""HubSpot (demo/vendors/hubspot.py): absolute and relative next links, and the CRM search."""

from __future__ import annotations

from datetime import timedelta
from math import ceil
from typing import Any
from urllib.parse import urljoin

import pytest
import requests

from demo.api import DemoAPI
from tests.demo.common import BEARER, NOW, epoch, get


def test_hubspot_absolute_next_link_on_the_host_the_client_asked_for(
    api: DemoAPI, http: requests.Session
) -> None:
    host = f"localhost:{api.port}"
    query = {"limit": "100", "properties": "email,firstname"}
    body = http.get(
        f"{api.url}/crm/v3/objects/contacts",
        params=query,
        headers={**BEARER["headers"], "Host": host},
        timeout=10,
    ).json()
    link = body["paging"]["next"]["link"]
    assert link.startswith(f"http://{host}/crm/v3/objects/contacts?")
    assert "limit=100" in link and f"after={body['paging']['next']['after']}" in link
    assert set(body["results"][0]["properties"]) == {"email", "firstname"}
    last = http.get(link.replace(host, f"127.0.0.1:{api.port}"), timeout=10, **BEARER).json()
    final = http.get(last["paging"]["next"]["link"], timeout=10, **BEARER).json()
    assert "paging" not in final and len(final["results"]) == 30


def test_hubspot_relative_next_link_as_the_reference_docs_print_it(http: requests.Session) -> None:
    with DemoAPI(seed=2, now=NOW, contacts=25, hubspot_links="relative") as api:
        url = f"{api.url}/crm/v3/objects/contacts?limit=10"
        body = http.get(url, timeout=10, **BEARER).json()
        assert body["paging"]["next"] == {"after": "1011", "link": "?after=1011"}  # query only
        # RFC 3986: "?after=..." keeps the path of the request that returned it
        resolved = urljoin(url, body["paging"]["next"]["link"])
        assert resolved == f"{api.url}/crm/v3/objects/contacts?after=1011"
        ids, pages = [r["id"] for r in body["results"]], 1
        while "paging" in body:
            body = http.get(urljoin(url, body["paging"]["next"]["link"]), timeout=10, **BEARER).json()
            ids, pages = ids + [r["id"] for r in body["results"]], pages + 1
        assert ids == api.ids("hubspot_contacts") and pages == 3  # the default limit is 10
        # resolved against the host's root instead, the link finds no contacts (on this one
        # demo origin the root is Segment's Get Workspace)
        assert "results" not in http.get(f"{api.url}/?after=1011", timeout=10, **BEARER).json()


def test_hubspot_link_mode_switches_at_run_time(fresh: DemoAPI, http: requests.Session) -> None:
    settings = f"{fresh.url}/_demo/settings"
    switches = {"hubspot_links": "absolute", "strict_tokens": False, "segment_plan": "business"}
    assert http.get(settings, timeout=10).json() == switches
    switched = http.post(settings, json={"hubspot_links": "relative"}, timeout=10).json()
    assert switched["hubspot_links"] == fresh.hubspot_links == "relative"
    link = get(http, fresh, "/crm/v3/objects/contacts", BEARER).json()["paging"]["next"]["link"]
    assert link.startswith("?after=")
    assert http.post(settings, json={"hubspot_links": "sideways"}, timeout=10).status_code == 400
    fresh.change(hubspot_links="absolute")
    link = get(http, fresh, "/crm/v3/objects/contacts", BEARER).json()["paging"]["next"]["link"]
    assert link.startswith(f"{fresh.url}/crm/v3/objects/contacts?")


def search(
    http: requests.Session, api: DemoAPI, body: Any, creds: dict[str, Any] = BEARER
) -> requests.Response:
    return http.post(f"{api.url}/crm/v3/objects/contacts/search", json=body, timeout=10, **creds)


def changed(lo: int, hi: int) -> dict[str, Any]:
    filters = [
        {"propertyName": "lastmodifieddate", "operator": "GTE", "value": str(lo)},
        {"propertyName": "lastmodifieddate", "operator": "LT", "value": str(hi)},
    ]
    return {"filterGroups": [{"filters": filters}]}


def test_hubspot_search_filters_sorts_and_pages_in_the_body(api: DemoAPI, http: requests.Session) -> None:
    lo, hi = NOW - timedelta(days=10), NOW - timedelta(days=2)
    body = {
        **changed(int(lo.timestamp() * 1000), int(hi.timestamp() * 1000)),
        "sorts": [{"propertyName": "lastmodifieddate", "direction": "DESCENDING"}],
        "properties": ["email"],
        "limit": 7,
    }
    ids, stamps, after, pages = [], [], None, 0
    while True:
        page = search(http, api, {**body, **({"after": after} if after else {})}).json()
        pages += 1
        ids += [c["id"] for c in page["results"]]
        stamps += [epoch(c["properties"]["lastmodifieddate"]) for c in page["results"]]
        assert all(
            set(c["properties"]) == {"email", "createdate", "hs_object_id", "lastmodifieddate"}
            for c in page["results"]
        )
        if "paging" not in page:
            break
        after = page["paging"]["next"]["after"]
        assert page["paging"]["next"]["link"] == f"?after={after}"
    expected = api.changed_between("hubspot_contacts", lo, hi)
    assert sorted(ids) == sorted(c["id"] for c in expected) and page["total"] == len(expected)
    assert stamps == sorted(stamps, reverse=True) and pages == ceil(len(expected) / 7)
    everything = search(http, api, {"limit": 200}).json()
    assert [c["id"] for c in everything["results"]] == api.ids("hubspot_contacts")[:200]  # no filter: all
    assert (
        everything["total"] == len(api.ids("hubspot_contacts"))
        and everything["paging"]["next"]["after"] == "200"
    )
    either = {"filterGroups": changed(0, 1)["filterGroups"] + changed(0, 2**50)["filterGroups"], "limit": 200}
    assert search(http, api, either).json()["total"] == len(api.ids("hubspot_contacts"))  # groups are ORed


@pytest.mark.parametrize(
    ("body", "message"),
    [
        pytest.param(
            changed(0, 1)
            | {
                "filterGroups": [
                    {"filters": [{"propertyName": "lastmodifieddate", "operator": "GTE", "value": ""}]}
                ]
            },
            "operator GTE requires a value",
            id="empty-value",
        ),
        pytest.param(
            {
                "filterGroups": [
                    {
                        "filters": [
                            {"propertyName": "lastmodifieddate", "operator": "GT", "value": "2020-11-15"}
                        ]
                    }
                ]
            },
            "There was a problem",
            id="date-string",
        ),
        pytest.param({"limit": 201}, "There was a problem", id="limit"),
        pytest.param({"after": "10000"}, "10000", id="past-ten-thousand"),
    ],
)
def test_hubspot_search_refuses_what_hubspot_refuses(
    api: DemoAPI, http: requests.Session, body: Any, message: str
) -> None:
    r = search(http, api, body)
    assert r.status_code == 400 and message in r.json()["message"]
    assert r.json()["category"] == "VALIDATION_ERROR"


def test_hubspot_search_needs_a_token(api: DemoAPI, http: requests.Session) -> None:
    assert search(http, api, {}, {}).json()["category"] == "INVALID_AUTHENTICATION"
    assert http.get(f"{api.url}/crm/v3/objects/contacts/search", timeout=10, **BEARER).status_code == 405

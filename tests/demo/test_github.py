"""GitHub (demo/vendors/github.py): a bare array of issues and pull requests, the Link header,
`since` at or after, its order, and its errors."""

from __future__ import annotations

import re

import requests

from demo.api import DemoAPI
from tests.demo.common import BEARER, epoch, get

ISSUES = "/repos/octo-org/octo-repo/issues"
LINK = re.compile(r'<([^>]+)>; rel="(\w+)"')


def links(response: requests.Response) -> dict[str, str]:
    return {rel: url for url, rel in LINK.findall(response.headers.get("Link", ""))}


def test_every_issue_once_by_the_link_header(api: DemoAPI, http: requests.Session) -> None:
    seen, url, calls = [], f"{api.url}{ISSUES}?state=all&per_page=100", 0
    first = None
    while url:
        response = http.get(url, timeout=10, **BEARER)
        calls += 1
        assert response.status_code == 200, response.text
        body = response.json()
        assert isinstance(body, list)  # a bare array, as GitHub answers
        seen += [issue["id"] for issue in body]
        first = first or links(response)
        url = links(response).get("next")
    assert sorted(seen) == sorted(api.ids("github_issues")) and calls == 3
    assert set(first) == {"next", "last"} and first["last"].endswith("&page=3")
    assert "/repositories/1296269/issues?" in first["next"]  # by the repository's id, as GitHub's
    assert set(links(response)) == {"prev", "first"}  # the last page


def test_pull_requests_come_in_the_same_list(api: DemoAPI, http: requests.Session) -> None:
    body = get(http, api, ISSUES, BEARER, state="all", per_page=100).json()
    pulls = [i for i in body if "pull_request" in i]
    assert pulls and len(pulls) < len(body)
    assert set(pulls[0]["pull_request"]) == {"url", "html_url", "diff_url", "patch_url", "merged_at"}


def test_state_sort_direction_and_defaults(api: DemoAPI, http: requests.Session) -> None:
    default = get(http, api, ISSUES, BEARER).json()
    assert len(default) == 30 and {i["state"] for i in default} == {"open"}  # open, 30 a page
    created = [epoch(i["created_at"]) for i in default]
    assert created == sorted(created, reverse=True)  # created, newest first
    asc = {"state": "all", "sort": "updated", "direction": "asc", "per_page": 500}
    updated = get(http, api, ISSUES, BEARER, **asc).json()
    assert len(updated) == 100  # per_page beyond 100 answers 100
    stamps = [epoch(i["updated_at"]) for i in updated]
    assert stamps == sorted(stamps)


def test_since_keeps_the_issues_updated_at_or_after_it(api: DemoAPI, http: requests.Session) -> None:
    issues = sorted(api.records("github_issues"), key=lambda i: i["updated_at"])
    since = issues[200]["updated_at"]
    got = get(http, api, ISSUES, BEARER, state="all", since=since, per_page=100).json()
    assert sorted(i["id"] for i in got) == sorted(i["id"] for i in issues if i["updated_at"] >= since)
    assert issues[200]["id"] in {i["id"] for i in got}  # at: included


def test_errors_are_githubs(api: DemoAPI, http: requests.Session) -> None:
    missing = get(http, api, ISSUES, {})
    assert missing.status_code == 401 and missing.json()["message"] == "Requires authentication"
    bad = get(http, api, ISSUES, BEARER, state="everything")
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "state"
    assert get(http, api, "/repos/octo-org/octo-repo/nothing", BEARER).json()["message"] == "Not Found"

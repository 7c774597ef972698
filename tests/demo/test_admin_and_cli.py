"""The admin endpoints (demo/admin.py), the request log, the tap config, and ``python -m demo``."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import requests

from demo.api import DemoAPI
from demo.data.times import fmt_ms, fmt_z, parse_time
from tests.demo.common import BEARER, LATER, MAILCHIMP, ROOT, ZENDESK, get


def test_admin_endpoints(fresh: DemoAPI, http: requests.Session) -> None:
    get(http, fresh, "/sources", BEARER, **{"pagination.count": 5})
    assert http.get(f"{fresh.url}/_demo/health", timeout=10).json()["ok"] is True
    assert http.get(f"{fresh.url}/_demo/params", timeout=10).json() == fresh.params
    assert http.get(f"{fresh.url}/_demo/config", timeout=10).json()["base_url"] == fresh.url
    ticked = http.post(f"{fresh.url}/_demo/tick", json={"now": fmt_z(LATER), "adds": 1}, timeout=10).json()
    assert ticked["now"] == fmt_ms(LATER)
    assert len(ticked["changed"]["zendesk_users"]["added"]) == 1
    assert len(ticked["changed"]["zendesk_users"]["updated"]) == 5
    assert len(http.get(f"{fresh.url}/_demo/data/zendesk_users", timeout=10).json()) == 71
    logged = http.get(f"{fresh.url}/_demo/requests", timeout=10).json()
    assert [r["path"] for r in logged] == ["/sources"]  # admin calls are not logged
    assert http.delete(f"{fresh.url}/_demo/requests", timeout=10).json() == {"cleared": 1}
    assert fresh.requests == []
    assert http.post(f"{fresh.url}/_demo/reset", timeout=10).json() == {"reset": True}
    assert len(fresh.ids("zendesk_users")) == 70
    assert http.get(f"{fresh.url}/_demo/nothing", timeout=10).status_code == 404
    assert http.post(f"{fresh.url}/_demo/fail", json={"sometimes": True}, timeout=10).status_code == 400


def test_request_log(fresh: DemoAPI, http: requests.Session) -> None:
    fresh.clear_requests()
    url = f"{fresh.url}/api/v2/search/export?query=type:user&filter[type]=user&"
    http.get(url, params={"query": "type:user updated<2030-01-01T00:00:00Z"}, timeout=10, **ZENDESK)
    http.post(f"{fresh.url}/v2/oauth2/token", data={"grant_type": "client_credentials"}, timeout=10)
    first, second = fresh.requests
    assert first["method"] == "GET" and first["path"] == "/api/v2/search/export"
    assert first["query"].startswith("query=type:user&filter%5Btype%5D=user&&query=")
    assert first["params"]["query"] == ["type:user", "type:user updated<2030-01-01T00:00:00Z"]
    assert first["params"]["filter[type]"] == ["user"]
    assert first["headers"]["Authorization"].startswith("Basic ")
    assert first["status"] == 200 and first["body"] == ""
    assert second["body"] == "grant_type=client_credentials" and second["status"] == 401


def test_tap_config_points_at_the_demo(api: DemoAPI) -> None:
    config = api.tap_config(specs=["specs"])
    assert config["base_url"] == api.url and config["specs"] == ["specs"]
    assert config["params"]["listId"] == api.list_id
    assert config["params"]["accessTokenUrl"] == f"{api.url}/v2/oauth2/token"


def start_cli(*args: str) -> tuple[subprocess.Popen[str], str]:
    proc = subprocess.Popen(
        [sys.executable, "-m", "demo", "--port", "0", *args],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    line = proc.stdout.readline()
    match = re.fullmatch(r"Demo API listening on (http://127\.0\.0\.1:\d+)\n", line)
    assert match, line + (proc.stderr.read() if proc.stderr else "")
    return proc, match.group(1)


def stop_cli(proc: subprocess.Popen[str]) -> None:
    proc.terminate()
    assert proc.wait(timeout=10) == 0


def test_cli_keeps_data_in_the_state_file_across_processes(tmp_path: Path, http: requests.Session) -> None:
    state = tmp_path / "demo-state.json"
    sizes = ("--members", "20", "--users", "15", "--audit-events", "10", "--contacts", "20")
    proc, url = start_cli("--state-file", str(state), *sizes)
    try:
        before = http.get(f"{url}/_demo/data/mailchimp_members", timeout=10).json()
        ticked = http.post(f"{url}/_demo/tick", timeout=10).json()
    finally:
        stop_cli(proc)
    proc, url = start_cli("--state-file", str(state), "--hubspot-links", "relative", *sizes)
    try:
        r = http.get(f"{url}/3.0/lists/a1b2c3d4e5/members", params={"count": 1000}, timeout=10, **MAILCHIMP)
        members = {m["id"]: m for m in r.json()["members"]}
        assert len(members) == len(before) + 3
        moment = parse_time(ticked["now"]).replace(microsecond=0)
        for member_id in ticked["changed"]["mailchimp_members"]["updated"]:
            assert parse_time(members[member_id]["last_changed"]) == moment
        assert http.get(f"{url}/_demo/health", timeout=10).json()["ticks"] == 1
        contacts = http.get(f"{url}/crm/v3/objects/contacts", timeout=10, **BEARER).json()
        assert contacts["paging"]["next"]["link"].startswith("?after=")
    finally:
        stop_cli(proc)

"""`tap-restspec draft` against local servers that answer as nine real list APIs: the spec it
writes is run, as written, through the tap's command line with `api_key` set, and must read every
record of the API exactly once; the secret shows nowhere, in any encoding.
"""

from __future__ import annotations

import json

import pytest

from tests.draft.apis import APIS, Api
from tests.draft.drafting import run_draft, secrets_of, shown
from tests.helpers import run_cli


def seen_urls(server) -> list[str]:
    return [f"{s.path}?{s.raw_query}" if s.raw_query else s.path for s in server.seen]


@pytest.mark.parametrize("name", list(APIS))
def test_a_drafted_spec_run_as_written_reads_every_record_once(name, serve, tmp_path):
    """The spec on stdout, the guesses on stderr; the spec, saved as it is and run with `api_key`
    set, reads every record once with the requests a user would expect.
    """
    api: Api = APIS[name]()
    server = serve(api.answer)
    drafted = run_draft(tmp_path, server.url + api.path, *api.headers, out=None)
    assert drafted.code == 0, drafted.stderr
    assert 1 <= len(server.seen) <= 10
    assert {s.method for s in server.seen} == {"GET"}
    spec = json.loads(drafted.stdout)
    attributes = spec["sourceSpec"]["attributes"]
    assert attributes["contentPath"] == {"path": api.records_path}
    assert attributes["paginationParams"] == api.pagination
    singer = spec["singer"]
    assert singer["primaryKeys"] == [api.key]
    change, order = api.replication or (None, None)
    assert (singer.get("replicationKey"), singer.get("recordOrder")) == (change, order)
    said = explained(drafted.stderr)
    assert said["records"].startswith(f"records: {api.records_path} ")
    assert said["pagination"].startswith(f"pagination: {api.pagination['type']}, ")
    assert said["pagination"].endswith("none twice; the last page was reached")
    assert said["primary key"].startswith(f"primary key: {api.key} ")
    assert said["replication key"].startswith(f"replication key: {change or 'none'} ")
    assert said["requests"] == f"requests: {len(server.seen)} GET to {server.url} (at most 10)"
    assert said["set"].startswith("set: api_key, ")
    assert drafted.stderr.splitlines()[-1] == f"spec on stdout: stream {singer['name']}"

    (tmp_path / "spec.json").write_text(drafted.stdout)
    server.seen.clear()
    run = run_cli(tmp_path, {"specs": [str(tmp_path / "spec.json")], "api_key": api.api_key})
    assert run.code == 0, run.stderr
    assert warnings(run.stderr) == []  # every key the draft wrote is one the tap reads
    ids = [record[api.key] for record in run.records()]
    assert sorted(ids) == sorted(api.ids)
    assert len(ids) == len(set(ids))
    assert seen_urls(server) == api.run_requests
    secrets = secrets_of(api.secret, api.headers)
    assert shown(secrets, drafted.stdout, drafted.stderr, run.stdout, run.stderr) == []


def warnings(stderr: str) -> list[str]:
    """The WARNING lines of a run: an unknown spec key, a setting the tap does not know..."""
    return [line.split(" | ", 3)[-1] for line in stderr.splitlines() if "| WARNING " in line]


def explained(stderr: str) -> dict[str, str]:
    """The explanation's lines by their first word(s): `records`, `pagination`, `primary key`..."""
    assert "Traceback" not in stderr
    lines = stderr.splitlines()
    assert len(lines) <= 14
    return {line.split(":", 1)[0]: line for line in lines if not line.startswith("check:")}


def test_the_github_draft_in_full(serve, tmp_path):
    """The walk-through's command: every property of the spec, and the explanation line by line
    (`recordOrder` and its check only where the tap reads that key).
    """
    api = APIS["github"]()
    server = serve(api.answer)
    drafted = run_draft(tmp_path, server.url + api.path, *api.headers, out="issues.json")
    assert drafted.code == 0
    spec = json.loads((tmp_path / "issues.json").read_text())
    schema = spec["sourceSpec"]["attributes"].pop("schema")
    assert spec == {
        "description": f"Drafted by tap-restspec draft from GET {server.url}/repos/octo/hello/issues",
        "sourceSpec": {
            "attributes": {
                "urlParams": {
                    "host": server.url,
                    "path": "/repos/octo/hello/issues",
                    "method": "GET",
                    "queryParams": {"state": "all", "sort": "updated", "direction": "desc"},
                },
                "headerParams": {
                    "Authorization": "Bearer ${api_key}",
                    "Accept": "application/vnd.github+json",
                    "X-GitHub-Api-Version": "2022-11-28",
                },
                "contentPath": {"path": "$"},
                "paginationParams": {"type": "POINTER", "pointerPath": "headers.link"},
            }
        },
        "singer": {
            "name": "issues",
            "primaryKeys": ["id"],
            "replicationKey": "updated_at",
            "recordOrder": "newest_first",
        },
    }
    record = schema["items"]["properties"]
    assert schema["type"] == "array"
    assert record["updated_at"] == {"type": ["string", "null"], "format": "date-time"}
    assert record["id"] == {"type": ["number", "null"]}  # numbers as number: a later 10.5 lands intact
    assert record["labels"]["items"] == {"type": ["object", "array", "string", "number", "boolean", "null"]}
    assert record["assignee"] == {"type": ["object", "array", "string", "number", "boolean", "null"]}
    assert drafted.stderr.splitlines() == [
        "records: $ (the answer is an array of 3 objects)",
        "pagination: POINTER, the next page's URL in the Link header (pointerPath headers.link): "
        "3 pages read, 8 records, none twice; the last page was reached",
        "primary key: id (in each of the 8 records read, unique)",
        "replication key: updated_at (a date-time in each record read)"
        "; recordOrder newest_first: the 8 records read are in that order",
        "schema: 13 properties typed from 8 records; date-times: created_at, updated_at, closed_at",
        f"requests: 3 GET to {server.url} (at most 10)",
        "set: api_key, the token after 'Bearer ' in Authorization (it is not written in the spec)",
        "check: the API may not filter by updated_at: the tap filters on the client and stops at the first "
        "page all older than the bookmark (add scheduleParams if the API takes a start time)",
        "check: recordOrder newest_first rests on 8 records: keep it only if the API sorts by "
        "updated_at (a sort parameter in the URL), else delete it",
        "check: the schema lists the 13 fields the records read had: a field they did not show is left out "
        '(delete "schema" to let the tap infer it on every run)',
        "wrote issues.json: stream issues",
    ]

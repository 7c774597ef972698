"""Schemas a target can always load: sampled with the state applied, never invalid, evolving."""

from __future__ import annotations

import json

from jsonschema import Draft7Validator

from tap_restspec.sync.sample import SAMPLE_SIZE
from tests.helpers import ROOT, TOKEN_PAGING, Reply, run_cli, run_tap, source_spec, token_pages, write_spec

SCHEDULE = {"scheduleStartParamName": "since", "scheduleEndParamName": "before"}



def sampled_alone(pages):
    """`pages` with the first filled to SAMPLE_SIZE records (ids from 1000 on): the schema's sample is
    then that page alone (a thin first page is sampled with the pages after it, 2026-12-07).
    """
    return [[{"id": 1000 + i} for i in range(SAMPLE_SIZE - len(pages[0]))] + pages[0], *pages[1:]]


def every_record_fits_the_schema_before_it(run, stream="items"):
    """The Singer promise a target relies on: each RECORD is valid against the latest SCHEMA."""
    schema = None
    for message in run.messages:
        if message.get("stream") != stream:
            continue
        if message["type"] == "SCHEMA":
            schema = message["schema"]
        elif message["type"] == "RECORD":
            assert schema is not None
            errors = list(Draft7Validator(schema).iter_errors(message["record"]))
            assert not errors, (message["record"], [e.message for e in errors])


def test_a_run_with_state_samples_its_own_window_and_reuses_the_page(serve, tmp_path):
    server = serve(lambda seen: Reply(body={"items": [{"id": 1, "at": seen.q("since")}]}))
    document = {
        **source_spec(server.url, schedule=SCHEDULE),
        "singer": {"name": "items", "primaryKeys": ["id"]},
    }
    config = {
        "specs": [write_spec(tmp_path, "items.json", document)],
        "start_date": "2024-01-01T00:00:00Z",
        "end_date": "2024-03-01T00:00:00Z",
    }
    state = {
        "bookmarks": {
            "items": {"replication_key": "window_end", "replication_key_value": "2024-02-01T00:00:00Z"}
        }
    }
    run = run_tap(config, state=state)
    assert [(s.q("since"), s.q("before")) for s in server.seen] == [
        ("2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z")
    ]
    assert run.records() == [{"id": 1, "at": "2024-02-01T00:00:00Z"}]

    server.seen.clear()
    discovered = run_cli(tmp_path, config, "--discover")
    assert discovered.code == 0, discovered.stderr
    assert [s.q("since") for s in server.seen] == ["2024-01-01T00:00:00Z"]  # what a first run reads


def test_an_advance_spec_with_an_adf_path_samples_its_own_window_too(serve, tmp_path):
    server = serve(lambda seen: Reply(body={"results": [{"id": 7}]}))
    attrs = {
        "urlParams": {
            "host": server.url,
            "path": "/export@{if(empty(coalesce(pipeline()?.parameters?.ingestionStart,'')),'?full=1','')}",
            "queryParams": {"query": "{SCHEDULE_QUERY}"},
        },
        "contentPath": {"path": "$.results"},
        "scheduleParams": {
            "type": "ADVANCE",
            "paramFormat": "yyyy-MM-ddTHH:mm:ssK",
            "incremental": "updated>{START_TIME} updated<{END_TIME}",
            "backfill": "updated<{END_TIME}",
        },
    }
    document = {"sourceSpec": {"attributes": attrs}, "singer": {"name": "users", "primaryKeys": ["id"]}}
    config = {"specs": [write_spec(tmp_path, "users.json", document)], "end_date": "2024-03-01T00:00:00Z"}
    state = {
        "bookmarks": {
            "users": {"replication_key": "window_end", "replication_key_value": "2024-02-01T00:00:00Z"}
        }
    }
    run_tap(config, state=state)
    assert [(s.q("query"), s.q("full")) for s in server.seen] == [
        ("updated>2024-02-01T00:00:00Z updated<2024-03-01T00:00:00Z", None)
    ]


def test_an_empty_sample_still_lists_the_keys(serve, tmp_path):
    server = serve(lambda seen: Reply(body={"items": []}))
    document = {
        **source_spec(server.url),
        "singer": {"name": "items", "primaryKeys": ["id"], "replicationKey": "updated_at"},
    }
    run = run_tap({"specs": [write_spec(tmp_path, "items.json", document)]})
    schema = run.schemas()["items"]
    assert schema["key_properties"] == ["id"]
    assert schema["schema"]["properties"] == {
        "id": {"type": ["string", "null"]},
        "updated_at": {"type": ["string", "null"]},
    }


def test_an_explode_with_no_child_in_the_sample_still_lists_the_child_keys(serve, tmp_path):
    pages = [
        [{"email_id": "e1", "activity": []}],
        [{"email_id": "e2", "activity": [{"action": "open", "timestamp": "t"}]}],
    ]
    server = serve(lambda seen: token_pages(pages)(seen))
    document = {
        **source_spec(
            server.url,
            content="$.emails",
            pagination=TOKEN_PAGING,
            explodeEntityPath={"path": "$.emails.activity"},
        ),
        "singer": {"name": "activity", "primaryKeys": ["email_id", "action", "timestamp"]},
    }
    document["sourceSpec"]["attributes"]["contentPath"] = {
        "path": "$.items",
        "overrideWrapperAttribute": "emails",
    }
    run = run_tap({"specs": [write_spec(tmp_path, "activity.json", document)]})
    first = next(m for m in run.messages if m["type"] == "SCHEMA")
    assert {"email_id", "action", "timestamp"} <= set(first["schema"]["properties"])
    assert run.records() == [{"email_id": "e2", "action": "open", "timestamp": "t"}]
    every_record_fits_the_schema_before_it(run, "activity")


def test_a_field_first_seen_on_page_two_widens_the_schema_before_its_record(serve, tmp_path):
    pages = [
        [{"id": 1, "n": 1}, {"id": 2, "n": None}],
        [{"id": 3, "n": 2, "plan": "pro"}],
        [{"id": 4, "n": 2.5}],
        [{"id": 5, "n": "three", "plan": None}],
    ]
    server = serve(token_pages(sampled_alone(pages)))
    document = {
        **source_spec(server.url, pagination=TOKEN_PAGING),
        "singer": {"name": "items", "primaryKeys": ["id"]},
    }
    run = run_tap({"specs": [write_spec(tmp_path, "items.json", document)]})
    own = [r for r in run.records() if r["id"] < 1000]
    assert [r for page in pages for r in page] == own  # never changed, never dropped
    every_record_fits_the_schema_before_it(run)
    sequence = [
        (m["type"], m.get("record", {}).get("id"))
        for m in run.messages
        if m["type"] in ("SCHEMA", "RECORD") and m.get("record", {}).get("id", 0) < 1000
    ]
    assert sequence == [
        ("SCHEMA", None),
        ("RECORD", 1),
        ("RECORD", 2),
        ("SCHEMA", None),
        ("RECORD", 3),
        ("RECORD", 4),  # 2.5 fits: every inferred number is a `number` (2026-12-07)
        ("SCHEMA", None),
        ("RECORD", 5),
    ]
    last = [m for m in run.messages if m["type"] == "SCHEMA"][-1]["schema"]["properties"]
    assert last["plan"] == {"type": ["string", "null"]}
    assert last["n"] == {"type": ["string", "number", "null"]}


def test_a_catalog_schema_is_the_start_and_still_evolves(serve, tmp_path):
    pages = [[{"id": 1}], [{"id": 2, "extra": True}]]
    server = serve(token_pages(pages))
    document = {
        **source_spec(server.url, pagination=TOKEN_PAGING),
        "singer": {"name": "items", "primaryKeys": ["id"]},
    }
    path = write_spec(tmp_path, "items.json", document)
    catalog = json.loads(run_cli(tmp_path, {"specs": [path]}, "--discover").stdout)
    catalog["streams"][0]["schema"]["properties"]["id"]["description"] = "from the catalog"
    server.seen.clear()
    run = run_tap({"specs": [path]}, catalog=catalog)
    schemas = [m["schema"] for m in run.messages if m["type"] == "SCHEMA"]
    assert schemas[0]["properties"]["id"]["description"] == "from the catalog"
    assert (
        "extra" in schemas[-1]["properties"]
        and schemas[-1]["properties"]["id"]["description"] == "from the catalog"
    )
    assert run.records() == [{"id": 1}, {"id": 2, "extra": True}]
    assert len(server.seen) == 2  # the catalog's schema: no sample


def test_a_custom_schema_never_changes_and_names_what_it_leaves_out_once(serve, tmp_path):
    pages = [[{"id": 1, "x": 1}], [{"id": 2, "x": 2, "y": 3}]]
    server = serve(token_pages(pages))
    schema = {"type": "object", "properties": {"id": {"type": "integer"}}}
    document = {
        **source_spec(server.url, pagination=TOKEN_PAGING, schema=schema),
        "singer": {"name": "items", "primaryKeys": ["id"]},
    }
    result = run_cli(tmp_path, {"specs": [write_spec(tmp_path, "items.json", document)]})
    assert result.code == 0, result.stderr
    schemas = [m for m in result.messages() if m["type"] == "SCHEMA"]
    assert len(schemas) == 1 and set(schemas[0]["schema"]["properties"]) == {"id"}
    assert result.records() == [{"id": 1}, {"id": 2}]
    warnings = [line for line in result.stderr.splitlines() if "not in the spec's schema" in line]
    assert len(warnings) == 2 and "x" in warnings[0] and "y" in warnings[1]


def test_a_big_integer_stays_exact_and_is_typed_a_number(serve, tmp_path):
    big = 123456789012345678901234567890
    server = serve(lambda seen: Reply(raw=b'{"items": [{"id": 123456789012345678901234567890, "n": 1}]}'))
    document = {**source_spec(server.url), "singer": {"name": "items", "primaryKeys": ["id"]}}
    result = run_cli(tmp_path, {"specs": [write_spec(tmp_path, "items.json", document)]})
    assert '"id":123456789012345678901234567890' in result.stdout
    assert result.records() == [{"id": big, "n": 1}]
    schema = next(m for m in result.messages() if m["type"] == "SCHEMA")["schema"]
    assert schema["properties"]["id"] == {"type": ["number", "null"]}


def test_a_record_of_another_type_than_the_custom_schema_says_is_an_error_never_sent(serve, tmp_path):
    pages = [[{"id": 1, "n": 1}], [{"id": 2, "n": "two"}]]
    server = serve(token_pages(pages))
    schema = {"type": "object", "properties": {"id": {"type": "integer"}, "n": {"type": ["integer", "null"]}}}
    document = {
        **source_spec(server.url, pagination=TOKEN_PAGING, schema=schema),
        "singer": {"name": "items", "primaryKeys": ["id"]},
    }
    result = run_cli(tmp_path, {"specs": [write_spec(tmp_path, "items.json", document)]})
    assert result.code == 1
    assert result.records() == [{"id": 1, "n": 1}]
    assert (
        "stream items: a record does not match the spec's schema: n is a string, the schema says "
        "['integer', 'null']" in result.stderr
    )


# --- traffic: at most one SCHEMA per stream per page (2026-12-07) ------------------------------


KEYED = {"name": "items", "primaryKeys": ["id"]}


def schema_count(run, stream="items"):
    return sum(1 for m in run.messages if m["type"] == "SCHEMA" and m["stream"] == stream)


def test_a_page_of_a_thousand_new_keys_sends_one_schema_after_the_first(serve, tmp_path):
    page = [{"id": i, f"k{i}": i} for i in range(1000)]  # the sample holds the first 100
    server = serve(token_pages([page]))
    document = {**source_spec(server.url, pagination=TOKEN_PAGING), "singer": KEYED}
    run = run_tap({"specs": [write_spec(tmp_path, "items.json", document)]})
    assert schema_count(run) == 2
    assert run.records() == page
    every_record_fits_the_schema_before_it(run)


def test_ten_pages_of_new_keys_send_at_most_one_schema_a_page(serve, tmp_path):
    pages = [[{"id": p * 100 + i, f"k{p}_{i}": i} for i in range(100)] for p in range(10)]
    server = serve(token_pages(pages))
    document = {**source_spec(server.url, pagination=TOKEN_PAGING), "singer": KEYED}
    run = run_tap({"specs": [write_spec(tmp_path, "items.json", document)]})
    assert schema_count(run) == 10  # the first page's (from the sample), then one for each later page
    assert len(run.records()) == 1000
    every_record_fits_the_schema_before_it(run)


# --- a custom schema admits null unless `required` says otherwise (2026-12-07) -----------------


def test_a_custom_schema_admits_null_except_where_required(serve, tmp_path):
    schema = {
        "type": "object",
        "required": ["id"],
        "properties": {
            "id": {"type": "integer"},
            "email": {"type": "string"},
            "org": {"type": "object", "properties": {"name": {"type": "string"}}},
        },
    }
    pages = [[{"id": 1, "email": None, "org": None}, {"id": 2, "email": "a@b.c", "org": {"name": None}}]]
    server = serve(token_pages(pages))
    document = {
        **source_spec(server.url, pagination=TOKEN_PAGING, schema=schema),
        "singer": {"name": "items", "primaryKeys": ["id"]},
    }
    path = write_spec(tmp_path, "items.json", document)
    result = run_cli(tmp_path, {"specs": [path]})
    assert result.code == 0, result.stderr[-2000:]
    assert result.records() == pages[0]
    (sent,) = [m["schema"] for m in result.messages() if m["type"] == "SCHEMA"]
    assert sent["properties"]["email"] == {"type": ["string", "null"]}  # so targets make it nullable
    assert sent["properties"]["org"]["type"] == ["object", "null"]
    assert sent["properties"]["org"]["properties"]["name"] == {"type": ["string", "null"]}
    assert sent["properties"]["id"] == {"type": "integer"}  # required: as written

    schema["required"] = ["id", "email"]
    document["sourceSpec"]["attributes"]["schema"] = schema
    path = write_spec(tmp_path, "items.json", document)
    pages[0] = [{"id": 3, "email": None}]
    result = run_cli(tmp_path, {"specs": [path]})
    assert result.code == 1
    line = "stream items: a record does not match the spec's schema: email is null, the schema says string"
    assert line in result.stderr


ZENDESK_USER = {
    "id": 1,
    "url": "https://demo.zendesk.com/api/v2/users/1.json",
    "name": "Ann",
    "email": "ann@example.com",
    "created_at": "2024-01-02T10:00:00Z",
    "updated_at": "2024-01-02T10:00:00Z",
    "time_zone": "UTC",
    "iana_time_zone": "Etc/UTC",
    "locale": "en-US",
    "locale_id": 1,
    "organization_id": None,
    "role": "end-user",
    "verified": True,
    "active": True,
    "shared": False,
    "shared_agent": False,
    "tags": [],
    "suspended": False,
    "restricted_agent": True,
    "moderator": False,
    "only_private_comments": False,
    "report_csv": False,
    "ticket_restriction": "requested",
    "two_factor_auth_enabled": None,
    "result_type": "user",
}


def test_the_shipped_zendesk_spec_syncs_users_without_an_email(serve, tmp_path):
    users = [ZENDESK_USER, {**ZENDESK_USER, "id": 2, "name": "Chat visitor", "email": None}]
    meta = {"has_more": False, "after_cursor": None, "before_cursor": None}
    server = serve(lambda seen: Reply(body={"results": users, "meta": meta, "links": {"next": None}}))
    config = {
        "specs": [str(ROOT / "specs" / "zendesk_users.json")],
        "base_url": server.url,
        "username": "demo@example.com/token",
        "password": "demo-token",
        "params": {"subdomain": "demo", "email": "demo@example.com"},
        "start_date": "2024-01-01T00:00:00Z",
        "end_date": "2024-01-03T00:00:00Z",
    }
    result = run_cli(tmp_path, config)
    assert result.code == 0, result.stderr[-2000:]
    assert [r["email"] for r in result.records()] == ["ann@example.com", None]
    (sent,) = [m["schema"] for m in result.messages() if m["type"] == "SCHEMA"]
    assert sent["properties"]["email"]["type"] == ["string", "null"]
    shipped = json.loads((ROOT / "specs" / "zendesk_users.json").read_text())["sourceSpec"]["attributes"]
    assert shipped["schema"]["properties"]["results"]["items"]["properties"]["email"] == {"type": "string"}

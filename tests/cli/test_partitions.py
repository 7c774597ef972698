"""List partitions and parent -> child streams, end to end against local servers."""

from __future__ import annotations

import copy

from tests.helpers import Reply, run_cli, run_partial, run_tap, source_spec, write_spec

START, END = "2024-01-01T00:00:00Z", "2024-02-01T00:00:00Z"
SCHEDULE = {"scheduleStartParamName": "since", "scheduleEndParamName": "before"}
OFFSET = {"type": "OFFSET", "limitName": "count", "limitValue": 2, "offSetName": "offset"}
MEMBERS = {"a": [{"id": "a1"}, {"id": "a2"}, {"id": "a3"}], "b": [{"id": "b1"}], "c": [{"id": "c1"}]}


def members_api(seen):
    list_id = seen.path.split("/")[2]
    if list_id not in MEMBERS:
        return Reply(status=404, body={"detail": f"no list {list_id}"})
    offset, count = int(seen.q("offset") or 0), int(seen.q("count") or 2)
    return Reply(body={"members": MEMBERS[list_id][offset : offset + count]})


def members_spec(url, **singer):
    return {
        **source_spec(
            url, "/lists/${listId}/members", content="$.members", pagination=OFFSET, schedule=SCHEDULE
        ),
        "singer": {"name": "members", "primaryKeys": ["id", "listId"], **singer},
    }


def partitions(run, stream):
    return {p["context"]["listId"]: p for p in run.bookmark(stream).get("partitions", [])}


def test_each_list_element_is_a_partition_with_its_own_bookmark(serve, tmp_path):
    server = serve(members_api)
    spec = write_spec(tmp_path, "members.json", members_spec(server.url))
    config = {"specs": [spec], "start_date": START, "end_date": END}
    run = run_tap({**config, "params": {"listId": ["a", "b"]}})
    assert sorted((r["listId"], r["id"]) for r in run.records()) == [
        ("a", "a1"),
        ("a", "a2"),
        ("a", "a3"),
        ("b", "b1"),
    ]
    assert "listId" in run.schemas()["members"]["schema"]["properties"]
    assert {k: p["replication_key_value"] for k, p in partitions(run, "members").items()} == {
        "a": END,
        "b": END,
    }
    assert {(s.path, s.q("since")) for s in server.seen} == {
        ("/lists/a/members", START),
        ("/lists/b/members", START),
    }

    server.seen.clear()
    later = "2024-03-01T00:00:00Z"
    second = run_tap({**config, "end_date": later, "params": {"listId": ["a", "b", "c"]}}, state=run.state)
    assert {(s.path, s.q("since"), s.q("before")) for s in server.seen} == {
        ("/lists/a/members", END, later),
        ("/lists/b/members", END, later),
        ("/lists/c/members", START, later),  # added later: reads from start_date
    }
    assert {k: p["replication_key_value"] for k, p in partitions(second, "members").items()} == {
        "a": later,
        "b": later,
        "c": later,
    }


def test_a_custom_schema_also_lists_the_partition_value(serve, tmp_path):
    server = serve(members_api)
    document = members_spec(server.url)
    custom = {"type": "object", "properties": {"id": {"type": "string"}}}
    document["sourceSpec"]["attributes"]["schema"] = custom
    spec = write_spec(tmp_path, "members.json", document)
    run = run_tap({"specs": [spec], "start_date": START, "end_date": END, "params": {"listId": ["a", "b"]}})
    properties = run.schemas()["members"]["schema"]["properties"]
    assert set(properties) == {"id", "listId"}  # the tap made the field, so the schema lists it
    assert "string" in properties["listId"]["type"]
    assert sorted((r["listId"], r["id"]) for r in run.records()) == [
        ("a", "a1"),
        ("a", "a2"),
        ("a", "a3"),
        ("b", "b1"),
    ]


def test_a_failing_partition_keeps_its_bookmark_and_the_others_go_on(serve, tmp_path):
    server = serve(members_api)
    spec = write_spec(tmp_path, "members.json", members_spec(server.url))
    config = {"specs": [spec], "start_date": START, "end_date": END, "max_retries": 0}
    state = {
        "bookmarks": {
            "members": {
                "partitions": [
                    {
                        "context": {"listId": "x"},
                        "replication_key": "window_end",
                        "replication_key_value": START,
                    },
                ]
            }
        }
    }
    run, error = run_partial({**config, "params": {"listId": ["a", "x", "b"]}}, state=state)
    assert error is not None and "HTTP 404" in str(error) and "no list x" in str(error)
    assert sorted(r["id"] for r in run.records()) == ["a1", "a2", "a3", "b1"]
    marks = {k: p["replication_key_value"] for k, p in partitions(run, "members").items()}
    assert marks == {"a": END, "b": END, "x": START}

    cli = run_cli(tmp_path, {**config, "params": {"listId": ["a", "x"]}})
    assert cli.code == 1
    assert any(
        "stream members: HTTP 404" in line and "'listId': 'x'" in line for line in cli.stderr.splitlines()
    )
    assert "Traceback" not in cli.stderr


def test_window_steps_apply_per_partition(serve, tmp_path):
    server = serve(members_api)
    spec = write_spec(tmp_path, "members.json", members_spec(server.url, windowStep="P10D"))
    run = run_tap({"specs": [spec], "start_date": START, "end_date": END, "params": {"listId": ["a", "b"]}})
    for list_id in ("a", "b"):
        windows = [
            (s.q("since"), s.q("before")) for s in server.seen if s.path == f"/lists/{list_id}/members"
        ]
        assert sorted(set(windows)) == [
            ("2024-01-01T00:00:00Z", "2024-01-11T00:00:00Z"),
            ("2024-01-11T00:00:00Z", "2024-01-21T00:00:00Z"),
            ("2024-01-21T00:00:00Z", "2024-01-31T00:00:00Z"),
            ("2024-01-31T00:00:00Z", END),
        ]
    assert {k: p["replication_key_value"] for k, p in partitions(run, "members").items()} == {
        "a": END,
        "b": END,
    }


# --- parent and child streams ----------------------------------------------------------------------

CAMPAIGNS = [{"id": "c1", "title": "one"}, {"id": "c2", "title": "two"}, {"id": "c3", "title": "three"}]
ACTIVITY = {"c1": [{"email_id": "e1"}, {"email_id": "e2"}], "c2": [], "c3": [{"email_id": "e3"}]}
CLICKS = {"e1": [{"url": "u1"}], "e2": [], "e3": [{"url": "u3"}, {"url": "u4"}]}


def mailchimp(seen):
    parts = seen.path.strip("/").split("/")
    if parts == ["campaigns"]:
        offset = int(seen.q("offset") or 0)
        return Reply(body={"campaigns": CAMPAIGNS[offset : offset + 2]})
    if parts[0] == "reports" and parts[2] == "email-activity":
        return Reply(body={"emails": ACTIVITY.get(parts[1], [])})
    if parts[0] == "emails" and parts[2] == "clicks":
        return Reply(body={"clicks": CLICKS.get(parts[1], [])})
    return Reply(status=404, body={"detail": "not found"})


def family(url):
    campaigns = {
        **source_spec(url, "/campaigns", content="$.campaigns", pagination=OFFSET),
        "singer": {"name": "campaigns", "primaryKeys": ["id"]},
    }
    activity = {
        **source_spec(url, "/reports/${campaignId}/email-activity", content="$.emails"),
        "singer": {
            "name": "activity",
            "primaryKeys": ["email_id"],
            "parent": {"stream": "campaigns", "values": {"campaignId": "$.id"}},
        },
    }
    clicks = {
        **source_spec(url, "/emails/${emailId}/clicks", content="$.clicks"),
        "singer": {
            "name": "clicks",
            "primaryKeys": ["url"],
            "parent": {"stream": "activity", "values": {"emailId": "$.email_id"}},
        },
    }
    return campaigns, activity, clicks


def write_family(tmp_path, url, documents=None):
    documents = documents or family(url)
    return [write_spec(tmp_path, f"{d['singer']['name']}.json", d) for d in documents]


def test_a_child_runs_once_per_parent_record_with_its_values_and_bookmarks(serve, tmp_path):
    server = serve(mailchimp)
    run = run_tap({"specs": write_family(tmp_path, server.url)})
    assert [r["id"] for r in run.records("campaigns")] == ["c1", "c2", "c3"]
    assert sorted((r["campaignId"], r["email_id"]) for r in run.records("activity")) == [
        ("c1", "e1"),
        ("c1", "e2"),
        ("c3", "e3"),
    ]
    assert sorted((r["emailId"], r["url"]) for r in run.records("clicks")) == [
        ("e1", "u1"),
        ("e3", "u3"),
        ("e3", "u4"),
    ]
    paths = [s.path for s in server.seen]
    for campaign in ("c1", "c2", "c3"):
        assert paths.count(f"/reports/{campaign}/email-activity") == 1
    for email in ("e1", "e2", "e3"):
        assert paths.count(f"/emails/{email}/clicks") == 1
    assert "campaignId" in run.schemas()["activity"]["schema"]["properties"]


def test_a_child_selected_alone_reads_its_parent_but_emits_none_of_it(serve, tmp_path):
    server = serve(mailchimp)
    specs = write_family(tmp_path, server.url)
    discovered = run_cli(tmp_path, {"specs": specs}, "--discover")
    catalog = discovered_catalog(discovered.stdout, selected={"activity"})
    server.seen.clear()
    run = run_tap({"specs": specs}, catalog=catalog)
    assert run.records("campaigns") == [] and run.records("clicks") == []
    assert sorted(r["email_id"] for r in run.records("activity")) == ["e1", "e2", "e3"]
    assert {m["stream"] for m in run.messages if m["type"] == "SCHEMA"} == {"activity"}
    assert [s.path for s in server.seen if s.path.startswith("/emails/")] == []  # clicks: not selected


def discovered_catalog(text, selected):
    import json

    catalog = json.loads(text)
    for entry in catalog["streams"]:
        for item in entry["metadata"]:
            if item["breadcrumb"] == []:
                item["metadata"]["selected"] = entry["tap_stream_id"] in selected
    return catalog


def test_a_parent_record_without_the_value_is_skipped_with_one_warning(serve, tmp_path):
    campaigns = [{"id": "c1"}, {"title": "no id"}, {"title": "no id either"}, {"id": "c3"}]

    def api(seen):
        if seen.path == "/campaigns":
            offset = int(seen.q("offset") or 0)
            return Reply(body={"campaigns": campaigns[offset : offset + 2]})
        return mailchimp(seen)

    server = serve(api)
    documents = family(server.url)[:2]
    documents[0]["singer"]["primaryKeys"] = []
    result = run_cli(tmp_path, {"specs": write_family(tmp_path, server.url, documents)})
    assert result.code == 0, result.stderr
    warnings = [line for line in result.stderr.splitlines() if "has no value at $.id" in line]
    assert len(warnings) == 1
    assert sorted(
        r["record"]["email_id"]
        for r in result.messages()
        if r.get("stream") == "activity" and r["type"] == "RECORD"
    ) == ["e1", "e2", "e3"]


def test_a_missing_parent_or_a_cycle_is_a_start_up_error(serve, tmp_path):
    server = serve(mailchimp)
    campaigns, activity, _ = family(server.url)
    orphan = copy.deepcopy(activity)
    orphan["singer"]["parent"]["stream"] = "lists"
    result = run_cli(tmp_path, {"specs": write_family(tmp_path, server.url, [campaigns, orphan])})
    assert result.code == 1 and "Traceback" not in result.stderr
    assert "activity.json: singer.parent.stream: 'lists' is not among the specs" in result.stderr

    looped = copy.deepcopy(campaigns)
    looped["singer"]["parent"] = {"stream": "activity", "values": {"x": "$.campaignId"}}
    result = run_cli(tmp_path, {"specs": write_family(tmp_path, server.url, [looped, activity])})
    assert result.code == 1 and "a cycle of parents" in result.stderr
    assert server.seen == []


def test_the_child_schema_is_sampled_from_the_first_parent_record_and_reused(serve, tmp_path):
    server = serve(mailchimp)
    run = run_tap({"specs": write_family(tmp_path, server.url)})
    paths = [s.path for s in server.seen]
    assert paths.count("/campaigns") == 2  # two pages, the first read once (sampled, then reused)
    assert paths.count("/reports/c1/email-activity") == 1
    assert set(run.schemas()["activity"]["schema"]["properties"]) >= {"email_id", "campaignId"}


def test_a_child_pass_per_parent_record_has_its_own_bookmark(serve, tmp_path):
    server = serve(mailchimp)
    campaigns, activity, _ = family(server.url)
    activity["sourceSpec"]["attributes"]["scheduleParams"] = SCHEDULE
    run = run_tap(
        {
            "specs": write_family(tmp_path, server.url, [campaigns, activity]),
            "start_date": START,
            "end_date": END,
        }
    )
    marks = {
        p["context"]["campaignId"]: p["replication_key_value"] for p in run.bookmark("activity")["partitions"]
    }
    assert marks == {"c1": END, "c2": END, "c3": END}

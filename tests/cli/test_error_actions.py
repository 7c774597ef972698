"""Error actions (2026-12-07): `"singer": {"onHttpError": {"404": "skip"}}` ends the current pass,
partition or child pass with no records instead of failing the stream: one WARNING a run per
stream and status, the skipped pass's bookmark does not move, and a full-table stream with a
skipped pass emits no ACTIVATE_VERSION. A status not listed still fails; a 403 that says it is a
rate limit is retried first. The shipped Mailchimp activity child and the Segment metrics use it.
"""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest

from demo.api import DemoAPI
from tests.helpers import ROOT, Reply, run_cli, source_spec

SCHEMA = {"type": "object", "properties": {"id": {"type": "integer"}}}
WINDOW = {"scheduleStartParamName": "since", "scheduleEndParamName": "until"}
DAYS = ["2024-01-01T00:00:00Z", "2024-01-02T00:00:00Z", "2024-01-03T00:00:00Z", "2024-01-04T00:00:00Z"]
FAST = {"max_retries": 0, "max_retry_wait": 2}


def warnings(stderr: str) -> list[str]:
    return [line for line in stderr.splitlines() if " WARNING " in line]


def kinds(result, stream):
    return [m["type"] for m in result.messages() if m.get("stream") == stream]


def last_state(result):
    return [m["value"] for m in result.messages() if m["type"] == "STATE"][-1]


def family(url, on_error=None, child_path="/parents/${pid}/children"):
    """`parents` (ids 1-4) and `children`, one pass per parent, with the child's onHttpError."""
    parent = source_spec(url, "/parents", schema=SCHEMA, singer={"name": "parents", "primaryKeys": ["id"]})
    parent_of = {"stream": "parents", "values": {"pid": "$.id"}}
    singer = {"name": "children", "primaryKeys": ["id"], "parent": parent_of}
    if on_error is not None:
        singer["onHttpError"] = on_error
    return [parent, source_spec(url, child_path, schema=SCHEMA, singer=singer)]


def answers(gone):
    """Parents 1-4; a child page of two records per parent, and `gone[pid]` for the ones listed."""

    def api(seen):
        if seen.path == "/parents":
            return Reply(body={"items": [{"id": i} for i in range(1, 5)]})
        pid = int(seen.path.split("/")[2])
        if pid in gone:
            return gone[pid]
        return Reply(body={"items": [{"id": 10 * pid}, {"id": 10 * pid + 1}]})

    return api


MAILCHIMP_404 = {  # Mailchimp's problem document (https://mailchimp.com/developer/marketing/docs/errors/)
    "type": "https://mailchimp.com/developer/marketing/docs/errors/",
    "title": "Resource Not Found",
    "status": 404,
    "detail": "The requested resource could not be found.",
    "instance": "995c5cb0-3280-4a6e-808b-3b096d0bb219",
}
NOT_FOUND = Reply(404, body=MAILCHIMP_404)


# --- a child pass whose parent vanished ----------------------------------------------------------


def test_child_passes_whose_parents_vanished_are_skipped_and_the_others_load(serve, run_spec):
    api = serve(answers({2: NOT_FOUND, 3: NOT_FOUND}))
    result = run_spec.cli(family(api.url, {"404": "skip"}), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    children = [m["record"] for m in result.messages() if m["type"] == "RECORD" and m["stream"] == "children"]
    assert sorted(r["id"] for r in children) == [10, 11, 40, 41]
    assert "ACTIVATE_VERSION" in kinds(result, "parents")
    assert "ACTIVATE_VERSION" not in kinds(result, "children")  # a skipped pass is an incomplete read
    (warning,) = warnings(result.stderr)  # one a run for the stream and the status, not one a pass
    assert "Stream children: HTTP 404 Not Found from GET " in warning and "/parents/" in warning
    assert "singer.onHttpError" in warning and "deletions are not applied this run" in warning
    skipped = [line for line in result.stderr.splitlines() if "skipped (singer.onHttpError)" in line]
    assert len(skipped) == 1 and " INFO " in skipped[0]  # the second one: an INFO line
    assert "Traceback" not in result.stderr


def test_a_status_not_listed_still_fails_the_stream(serve, run_spec):
    api = serve(answers({2: Reply(410, body={"message": "gone for good"})}))
    result = run_spec.cli(family(api.url, {"404": "skip"}), **FAST)
    assert result.code == 1
    assert "HTTP 410" in result.stderr and "gone for good" in result.stderr
    assert "ACTIVATE_VERSION" not in kinds(result, "children") and "Traceback" not in result.stderr


def test_without_on_http_error_a_404_fails_the_stream_as_before(serve, run_spec):
    api = serve(answers({2: NOT_FOUND}))
    result = run_spec.cli(family(api.url), **FAST)
    assert result.code == 1 and "HTTP 404" in result.stderr
    assert "singer.onHttpError" not in result.stderr


@pytest.mark.parametrize(
    ("on_error", "skipped", "failed"),
    [
        pytest.param({"4xx": "skip"}, {404, 410}, set(), id="a-class"),
        pytest.param({"4XX": "Skip", "410": "FAIL"}, {404}, {410}, id="an-exact-status-wins-over-its-class"),
        pytest.param({"404": "skip", "4xx": "fail"}, {404}, {410}, id="fail-is-the-default-made-explicit"),
    ],
)
def test_statuses_and_classes_in_any_case(serve, run_spec, on_error, skipped, failed):
    api = serve(answers({2: NOT_FOUND, 3: Reply(410, body={"message": "gone"})}))
    result = run_spec.cli(family(api.url, on_error), **FAST)
    assert result.code == (1 if failed else 0), result.stderr[-2000:]
    said = {status for status in (404, 410) if any(f"HTTP {status}" in w for w in warnings(result.stderr))}
    assert said == skipped
    assert all(f"HTTP {status}" in result.stderr for status in failed)


# --- a windowed pass, a rate limit, a retried status ----------------------------------------------


def test_a_skipped_window_slice_keeps_the_bookmark_before_it(serve, run_spec):
    def api(seen):
        if seen.q("since") == DAYS[1]:
            return Reply(403, body={"message": "not on your plan"})
        return Reply(body={"items": [{"id": DAYS.index(seen.q("since"))}]})

    server = serve(api)
    singer = {"windowStep": "P1D", "onHttpError": {"403": "skip"}}
    document = source_spec(server.url, schedule=WINDOW, schema=SCHEMA, singer=singer)
    result = run_spec.cli(document, start_date=DAYS[0], end_date=DAYS[3], **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert [r["id"] for r in result.records()] == [0]
    assert last_state(result)["bookmarks"]["items"]["replication_key_value"] == DAYS[1]
    assert [s.q("since") for s in server.seen] == [DAYS[0], DAYS[1]]  # the pass ended the unit
    (warning,) = warnings(result.stderr)
    assert "HTTP 403" in warning and "its bookmark stays, and the next run reads it again" in warning

    again = run_spec.cli(document, state=last_state(result), end_date=DAYS[3], **FAST)
    assert server.seen[2].q("since") == DAYS[1]  # the next run starts at the skipped slice
    assert again.code == 0


def test_a_403_that_says_it_is_a_rate_limit_is_retried_before_anything_is_skipped(serve, run_spec):
    replies = iter(
        [
            Reply(403, headers={"Retry-After": "0"}, body={"message": "secondary rate limit"}),
            Reply(body={"items": [{"id": 1}]}),
        ]
    )
    server = serve(lambda seen: next(replies))
    document = source_spec(server.url, schema=SCHEMA, singer={"onHttpError": {"403": "skip"}})
    result = run_spec.cli(document, max_retries=2, max_retry_wait=2)
    assert result.code == 0, result.stderr[-2000:]
    assert [r["id"] for r in result.records()] == [1] and len(server.seen) == 2
    assert "singer.onHttpError" not in result.stderr


def test_a_retried_status_listed_as_skip_is_skipped_once_its_retries_are_spent(serve, run_spec):
    server = serve(lambda seen: Reply(503, body={"message": "down"}))
    document = source_spec(server.url, schema=SCHEMA, singer={"onHttpError": {"5xx": "skip"}})
    result = run_spec.cli(document, max_retries=1, max_retry_wait=2)
    assert result.code == 0, result.stderr[-2000:]
    assert len(server.seen) == 2 and not result.records()
    assert any("HTTP 503" in w and "singer.onHttpError" in w for w in warnings(result.stderr))


def test_a_skipped_first_page_is_asked_once_and_said_by_the_connection_test(serve, run_spec):
    server = serve(lambda seen: Reply(403, body={"message": "plan"}))
    document = source_spec(server.url, singer={"onHttpError": {"403": "skip"}})  # inferred schema: a sample
    result = run_spec.cli(document, **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert len(server.seen) == 1  # the sample's answer is the sync's first answer, as any sample's
    tested = run_spec.cli(document, "--test", **FAST)
    assert tested.code == 0, tested.stderr[-2000:]
    assert "the first page answered HTTP 403, which singer.onHttpError skips" in tested.stderr


# --- the block checked at start-up ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("block", "line"),  # each line after `singer.`
    [
        pytest.param({"404": "ignore"}, "onHttpError.404: 'ignore' is not one of skip, fail", id="value"),
        pytest.param({"404": True}, "onHttpError.404: true is not one of skip, fail", id="not-a-string"),
        pytest.param(
            {"200": "skip"},
            "onHttpError.200: not an HTTP error status (400 to 599) or class (4xx, 5xx)",
            id="not-an-error",
        ),
        pytest.param(
            {"4x4": "skip"},
            "onHttpError.4x4: not an HTTP error status (400 to 599) or class (4xx, 5xx)",
            id="not-a-class",
        ),
        pytest.param("skip", "onHttpError: must be an object", id="not-an-object"),
    ],
)
def test_a_bad_block_is_a_start_up_error_naming_the_property(serve, run_spec, block, line):
    server = serve(lambda seen: Reply(body={"items": []}))
    result = run_spec.cli(source_spec(server.url, schema=SCHEMA, singer={"onHttpError": block}), **FAST)
    assert result.code == 1 and "Traceback" not in result.stderr
    assert f"items.json: singer.{line}" in result.stderr, result.stderr[-2000:]
    assert not server.seen


def test_a_misspelt_block_is_a_did_you_mean(serve, run_spec):
    server = serve(lambda seen: Reply(body={"items": []}))
    result = run_spec.cli(source_spec(server.url, singer={"onHttpErrors": {"404": "skip"}}), **FAST)
    assert result.code == 1
    assert "singer.onHttpErrors: unknown key; did you mean 'onHttpError'?" in result.stderr
    assert not server.seen


# --- the shipped specs ------------------------------------------------------------------------------


def test_mailchimp_activity_of_a_campaign_deleted_mid_run_is_skipped(tmp_path):
    """Mailchimp answers 404 ("Resource Not Found") for the report of a campaign deleted between the
    campaigns page and its activity request: the shipped child skips that pass."""
    names = ("mailchimp_campaigns", "mailchimp_campaign_email_activity")
    specs = [str(ROOT / "specs" / f"{n}.json") for n in names]
    with DemoAPI() as api:
        campaigns = [c["id"] for c in api.records("mailchimp_campaigns")]
        gone = campaigns[1]
        api.fail_next(1, status=404, path=f"/3.0/reports/{gone}/email-activity", body=MAILCHIMP_404)
        result = run_cli(tmp_path, api.tap_config(specs=specs))
        reports = [r for r in api.requests if "email-activity" in r["path"]]
        statuses = {r["path"].split("/")[3]: r["status"] for r in reports}
    assert result.code == 0, result.stderr[-2000:]
    assert statuses[gone] == 404 and set(statuses) == set(campaigns)
    activity = {r["campaignId"] for r in result.records() if "action" in r}
    assert gone not in activity and activity  # the other campaigns' activity loaded
    versions = {m["stream"] for m in result.messages() if m["type"] == "ACTIVATE_VERSION"}
    assert versions == {"mailchimp_campaigns"}
    (warning,) = warnings(result.stderr)
    assert "HTTP 404" in warning and "Resource Not Found" in warning and f"'campaignId': '{gone}'" in warning


def test_segment_metrics_of_a_plan_without_them_are_skipped_and_the_configuration_loads(tmp_path):
    names = ["segment_sources", "segment_api_calls_daily", "segment_event_volume", "segment_audit_events"]
    specs = [str(ROOT / "specs" / f"{n}.json") for n in names]
    start = (datetime.now(timezone.utc) - timedelta(days=3)).strftime("%Y-%m-%dT00:00:00Z")
    with DemoAPI(sources=2, segment_plan="starter") as api:
        result = run_cli(tmp_path, api.tap_config(specs=specs, start_date=start))
        forbidden = [r["path"] for r in api.requests if r["status"] == 403]
    assert result.code == 0, result.stderr[-2000:]
    assert len(forbidden) == 4  # usage, the audit trail, and event volume once per source
    assert {m["stream"] for m in result.messages() if m["type"] == "RECORD"} == {"segment_sources"}
    assert {m["stream"] for m in result.messages() if m["type"] == "ACTIVATE_VERSION"} == {"segment_sources"}
    said = sorted(w.split("Stream ")[1].split(":")[0] for w in warnings(result.stderr))
    assert said == ["segment_api_calls_daily", "segment_audit_events", "segment_event_volume"]
    bookmarks = last_state(result)["bookmarks"]
    for name in names[1:]:  # no window moved: the next run (on a plan with them) reads them again
        assert "replication_key_value" not in json.dumps(bookmarks.get(name, {})), name


def test_every_shipped_on_http_error_block_is_one_the_apis_document():
    blocks = {}
    for path in sorted((ROOT / "specs").glob("*.json")):
        singer = json.loads(path.read_text())["singer"]
        if "onHttpError" in singer:
            blocks[path.stem] = singer["onHttpError"]
    assert all(set(b) <= {"403", "404"} and set(b.values()) == {"skip"} for b in blocks.values())
    parents = {
        path.stem
        for path in (ROOT / "specs").glob("*.json")
        if "parent" in json.loads(path.read_text())["singer"]
    }
    assert {name for name, b in blocks.items() if "404" in b} == parents  # a parent may vanish mid-run
    metrics = {name for name, b in blocks.items() if "403" in b}
    assert metrics == {
        "segment_api_calls_daily",
        "segment_api_calls_daily_per_source",
        "segment_mtu_daily",
        "segment_mtu_daily_per_source",
        "segment_event_volume",
        "segment_audit_events",
        *(p.stem for p in (ROOT / "specs").glob("segment_delivery_*.json")),
    }

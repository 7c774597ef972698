"""What Meltano users expect of a plugin: spec files that appear or vanish are never silent,
`--test` is quiet when it passes, metrics name the endpoint a user can read."""

from __future__ import annotations

import json

from tests.helpers import ROOT, Reply, run_cli, source_spec, write_spec

ZENDESK = str(ROOT / "specs" / "zendesk_users.json")


def items(seen):
    return Reply(body={"items": [{"id": 1}]})


def test_a_spec_the_catalog_lacks_and_a_catalog_stream_no_spec_makes_are_named(serve, tmp_path):
    server = serve(items)
    first = write_spec(tmp_path, "first.json", {**source_spec(server.url), "singer": {"name": "first"}})
    catalog = json.loads(run_cli(tmp_path, {"specs": [first]}, "--discover").stdout)
    (tmp_path / "catalog.json").write_text(json.dumps(catalog))
    second = write_spec(tmp_path, "second.json", {**source_spec(server.url), "singer": {"name": "second"}})

    added = run_cli(tmp_path, {"specs": [first, second]}, "--catalog", "catalog.json")
    assert added.code == 0, added.stderr
    line = next(line for line in added.stderr.splitlines() if "is not in the input catalog" in line)
    assert "second" in line and "second.json" in line and "--refresh-catalog" in line
    assert {m["stream"] for m in added.messages() if m["type"] == "RECORD"} == {"first"}

    removed = run_cli(tmp_path, {"specs": [second]}, "--catalog", "catalog.json")
    line = next(line for line in removed.stderr.splitlines() if "no spec file makes it" in line)
    assert "first" in line and "--refresh-catalog" in line


def test_a_passing_connection_test_logs_no_error(serve, tmp_path):
    server = serve(items)
    spec = write_spec(tmp_path, "items.json", source_spec(server.url))
    result = run_cli(tmp_path, {"specs": [spec]}, "--test")
    assert result.code == 0, result.stderr
    assert " ERROR " not in result.stderr and "ERROR |" not in result.stderr
    assert "Stream items: first page read (1 records)" in result.stderr
    assert result.stdout == ""
    assert len(server.seen) == 1


def test_metrics_name_the_path_without_the_adf_expression(demo_api, tmp_path):
    result = run_cli(tmp_path, demo_api.tap_config(specs=[ZENDESK]), env={"TAP_RESTSPEC_LOG_LEVEL": "INFO"})
    assert result.code == 0, result.stderr
    metrics = [
        json.loads(line.split("METRIC: ", 1)[1]) for line in result.stderr.splitlines() if "METRIC: " in line
    ]
    endpoints = {m["tags"].get("endpoint") for m in metrics if m["metric"] == "http_request_count"}
    assert endpoints == {"/api/v2/search/export@{...}"}
    assert sum(m["value"] for m in metrics if m["metric"] == "record_count") == len(
        demo_api.ids("zendesk_users")
    )

"""End to end through Meltano: deletions reach PostgreSQL, and evolving schemas load.

* A full-table parent (Mailchimp campaigns) and its child (each campaign's email
  activity) into PostgreSQL with `activate_version: true`: a campaign deleted at the
  source is marked deleted (`_sdc_deleted_at`) after the next run, with its activity,
  and nothing else is; the windowed members table never loses or marks a row.
* A field first seen on page 2 reaches target-postgres as a new column, and a type
  that drifts on page 2 loads into target-jsonl without a validation error.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cli.test_inferred_types import FILLER, sampled_alone
from tests.helpers import Reply, Server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("meltano")]  # one Meltano project

SPECS = [
    "specs/mailchimp_campaigns.json",
    "specs/mailchimp_campaign_email_activity.json",
    "specs/mailchimp_members.json",
]


def rows(pg: Any, schema: str, table: str, columns: str) -> list[tuple[str, ...]]:
    return [tuple(r) for r in pg.psql(f'SELECT {columns} FROM {schema}."{table}" ORDER BY 1, 2')]


def test_a_record_deleted_at_the_source_is_marked_deleted_and_nothing_else(meltano_project, pg, demo_api):
    env = {
        "TAP_RESTSPEC_SPECS": json.dumps(SPECS),
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": "e2e_deletes",
    }
    run = ("run", "--state-id-suffix", "deletes", "tap-restspec", "target-postgres")
    meltano_project(*run, extra_env=env)
    campaigns = rows(pg, "e2e_deletes", "mailchimp_campaigns", "id, coalesce(_sdc_deleted_at::text, '')")
    assert sorted(c[0] for c in campaigns) == sorted(str(i) for i in demo_api.ids("mailchimp_campaigns"))
    assert all(c[1] == "" for c in campaigns)
    activity = rows(
        pg,
        "e2e_deletes",
        "mailchimp_campaign_email_activity",
        "\"campaignId\", email_id, coalesce(_sdc_deleted_at::text, '')",
    )
    assert activity and all(a[2] == "" for a in activity)
    members_before = rows(pg, "e2e_deletes", "mailchimp_members", "list_id, id")

    gone = str(demo_api.ids("mailchimp_campaigns")[0])
    demo_api.delete("mailchimp_campaigns", gone)
    meltano_project(*run, extra_env=env)

    campaigns = dict(
        rows(pg, "e2e_deletes", "mailchimp_campaigns", "id, coalesce(_sdc_deleted_at::text, '')")
    )
    assert campaigns[gone] != ""  # marked, not removed (hard_delete: false)
    assert all(mark == "" for cid, mark in campaigns.items() if cid != gone)
    activity = rows(
        pg,
        "e2e_deletes",
        "mailchimp_campaign_email_activity",
        "\"campaignId\", email_id, coalesce(_sdc_deleted_at::text, '')",
    )
    assert {a[0] for a in activity if a[2] != ""} <= {gone}
    assert all(a[2] == "" for a in activity if a[0] != gone)
    members = rows(pg, "e2e_deletes", "mailchimp_members", "list_id, id, coalesce(_sdc_deleted_at::text, '')")
    assert {(m[0], m[1]) for m in members} >= set(members_before)  # windowed: no row lost
    assert all(m[2] == "" for m in members)  # and none marked


PAGES = [
    [{"id": 1, "n": 1, "note": None}, {"id": 2, "n": 2, "note": None}],
    [{"id": 3, "n": 3, "note": "late", "plan": "pro"}],
    [{"id": 4, "n": "three", "note": "x", "plan": None}],
]


SERVED = sampled_alone(PAGES)  # the first page filled to the sample's size: the schema comes from it alone


def paged(seen):
    index = int(seen.q("cursor") or 0)
    more = index + 1 < len(SERVED)
    return Reply(body={"items": SERVED[index], "next": str(index + 1) if more else None})


def write_spec(root: Path, url: str, pages: int) -> str:
    document = {
        "name": "Evolving",
        "sourceSpec": {
            "attributes": {
                "urlParams": {"host": url, "path": "/items", "method": "GET"},
                "contentPath": {"path": "$.items"},
                "paginationParams": {
                    "type": "CONTINUATION_TOKEN",
                    "continuationTokenPath": "$.next",
                    "parameterName": "cursor",
                    "maximumRequest": pages,
                },
            }
        },
        "singer": {"name": "evolving", "primaryKeys": ["id"]},
    }
    path = root / f"evolving-{pages}.json"
    path.write_text(json.dumps(document))
    return str(path)


def test_new_fields_reach_postgres_as_columns_and_drifting_types_load_into_jsonl(meltano_project, pg):
    with Server(paged) as server:
        # PostgreSQL: the first two pages (a new column on page 2, a null column that becomes text)
        env = {
            "TAP_RESTSPEC_SPECS": json.dumps([write_spec(meltano_project.root, server.url, 2)]),
            "TAP_RESTSPEC_BASE_URL": server.url,
            "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": "e2e_schemas",
        }
        meltano_project(
            "run", "--state-id-suffix", "schemas", "tap-restspec", "target-postgres", extra_env=env
        )
        # `note` is null on page 1: typed for jsonb (2026-12-07), so its later string is a JSON string
        columns = "id::text, coalesce(note #>> '{}', '-'), coalesce(plan, '-')"
        loaded = [row for row in rows(pg, "e2e_schemas", "evolving", columns) if int(row[0]) < FILLER]
        assert loaded == [("1", "-", "-"), ("2", "-", "-"), ("3", "late", "pro")]

        # target-jsonl: all three pages, `n` an integer and then a string
        env = {
            "TAP_RESTSPEC_SPECS": json.dumps([write_spec(meltano_project.root, server.url, 3)]),
            "TAP_RESTSPEC_BASE_URL": server.url,
            "TARGET_JSONL_DESTINATION_PATH": str(meltano_project.root / "jsonl-out"),
        }
        (meltano_project.root / "jsonl-out").mkdir(exist_ok=True)
        meltano_project(
            "run", "--state-id-suffix", "schemas-jsonl", "tap-restspec", "target-jsonl", extra_env=env
        )
        written = [
            json.loads(line)
            for f in (meltano_project.root / "jsonl-out").glob("evolving*.jsonl")
            for line in f.read_text().splitlines()
            if json.loads(line)["id"] < FILLER
        ]
        assert sorted(written, key=lambda r: r["id"]) == [r for page in PAGES for r in page]

"""Every widening the tap can emit, through `meltano run tap-restspec target-postgres` (0.8.1).

A local API serves two pages; the second brings the change (the first is filled to the
sample's 100 records, so that the schema is inferred from it alone). Each value lands in
PostgreSQL exactly as the API wrote it, or the run fails with a line that says what to
do and the changed value is not stored:

* lands as written: an integer then a fraction (numeric), null-only then any value
  (jsonb), an always-empty array then objects (jsonb[]), a change inside an object
  (jsonb), date-times and dates (timestamp, date);
* the tap stops the stream with one line: a string field that then holds a number
  (target-postgres would store its text);
* the tap warns and target-postgres refuses: a number field that then holds a string,
  a date-time that stops being one;
* between runs: the types sent are kept in the state, so a text column whose field is
  null-only in the next run's first page stays text (never 'null' or '"b"').
"""

from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.cli.test_inferred_types import FILLER, sampled_alone
from tests.helpers import Reply, Server

pytestmark = [pytest.mark.e2e, pytest.mark.xdist_group("meltano")]  # one Meltano project

TOKEN = {"type": "CONTINUATION_TOKEN", "continuationTokenPath": "$.next", "parameterName": "cursor"}
BIG = 123456789012345678901234567890


class Pages:
    """A token-paged API whose pages a test replaces between runs."""

    def __init__(self) -> None:
        self.pages: list[list[dict[str, Any]]] = []

    def __call__(self, seen: Any) -> Reply:
        index = int(seen.q("cursor") or 0)
        more = index + 1 < len(self.pages)
        return Reply(body={"items": self.pages[index], "next": str(index + 1) if more else None})


@pytest.fixture
def api():
    pages = Pages()
    with Server(pages) as server:
        pages.url = server.url  # type: ignore[attr-defined]
        yield pages


def meltano_run(project: Any, api: Any, stream: str, *, suffix: str | None = None, check: bool = True):
    """`meltano run tap-restspec target-postgres` on one spec, into the schema `e2e_widening`."""
    spec = {
        "sourceSpec": {
            "attributes": {
                "urlParams": {"host": api.url, "path": "/items", "method": "GET"},
                "contentPath": {"path": "$.items"},
                "paginationParams": TOKEN,
            }
        },
        "singer": {"name": stream, "primaryKeys": ["id"]},
    }
    path = Path(project.root) / f"{stream}.json"
    path.write_text(json.dumps(spec))
    env = {
        "TAP_RESTSPEC_SPECS": json.dumps([str(path)]),
        "TAP_RESTSPEC_BASE_URL": api.url,
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": "e2e_widening",
    }
    args = ("run", "--state-id-suffix", suffix or stream, "tap-restspec", "target-postgres")
    return project(*args, extra_env=env, check=check)


def columns(pg: Any, table: str) -> dict[str, str]:
    rows = pg.psql(
        "SELECT column_name, udt_name FROM information_schema.columns "
        f"WHERE table_schema = 'e2e_widening' AND table_name = '{table}' AND column_name NOT LIKE '\\_sdc%'"
    )
    return dict((r[0], r[1]) for r in rows)


def loaded(pg: Any, table: str, *names: str) -> dict[int, dict[str, Any]]:
    """Each row by id, the filler's left out: the named columns as JSON values (NULL as None)."""
    if not pg.psql(f"SELECT to_regclass('e2e_widening.\"{table}\"')")[0][0]:
        return {}
    rows = pg.psql(f'SELECT id::text, to_jsonb(t)::text FROM e2e_widening."{table}" t')
    return {int(r[0]): {n: json.loads(r[1])[n] for n in names} for r in rows if int(r[0]) < FILLER}


def output(run: Any) -> str:
    return run.stdout + run.stderr


def test_every_widening_that_can_land_as_written_does(meltano_project, pg, api):
    api.pages = [
        [
            {
                "id": 1,
                "n": 10,
                "z": None,
                "tags": [],
                "o": {"x": 1},
                "at": "2024-01-01T10:00:00+02:00",
                "day": "2024-02-29",
            }
        ],
        [
            {
                "id": 2,
                "n": 10.5,
                "z": {"a": [1, "x"]},
                "tags": [{"k": 1}],
                "o": {"x": "one"},
                "at": None,
                "day": None,
            },
            {
                "id": 3,
                "n": BIG,
                "z": "late",
                "tags": ["s", 2],
                "o": {"y": [True]},
                "at": "2024-06-01T00:00:00.5Z",
            },
        ],
    ]
    api.pages = sampled_alone(api.pages)
    run = meltano_run(meltano_project, api, "intact")
    assert "target-postgres keeps" not in output(run) and "would store" not in output(run)
    assert columns(pg, "intact") == {
        "id": "numeric",
        "n": "numeric",
        "z": "jsonb",
        "tags": "_jsonb",
        "o": "jsonb",
        "at": "timestamp",
        "day": "date",
    }
    rows = loaded(pg, "intact", "n", "z", "tags", "o", "day")
    assert rows == {
        1: {"n": 10, "z": None, "tags": [], "o": {"x": 1}, "day": "2024-02-29"},
        2: {"n": 10.5, "z": {"a": [1, "x"]}, "tags": [{"k": 1}], "o": {"x": "one"}, "day": None},
        3: {"n": BIG, "z": "late", "tags": ["s", 2], "o": {"y": [True]}, "day": None},
    }
    # a timestamp column holds the same instant, in the database's time zone, without the offset
    zone = ZoneInfo(pg.psql("SHOW TimeZone")[0][0])
    query = "SELECT id::text, to_char(at, 'YYYY-MM-DD HH24:MI:SS.US') FROM e2e_widening.intact WHERE id < "
    stored = dict(pg.psql(f"{query}{FILLER}"))
    for key, written in ((1, "2024-01-01T10:00:00+02:00"), (3, "2024-06-01T00:00:00.5Z")):
        local = datetime.fromisoformat(written).astimezone(zone).replace(tzinfo=None)
        assert stored[str(key)] == local.strftime("%Y-%m-%d %H:%M:%S.%f")
    assert stored["2"] == ""


def test_a_string_field_that_then_holds_a_number_stops_with_one_line(meltano_project, pg, api):
    api.pages = sampled_alone([[{"id": 1, "code": "A7"}], [{"id": 2, "code": 7}]])
    run = meltano_run(meltano_project, api, "text_then_number", check=False)
    assert run.returncode != 0
    assert (
        "stream text_then_number: field 'code' was typed string and now string|number: target-postgres would "
        "store those values as text in the text column it made for it, without a word, so the stream stops: "
        "declare the field's type in the spec's custom schema" in output(run)
    )
    assert 2 not in loaded(pg, "text_then_number", "code")


@pytest.mark.parametrize(
    ("stream", "first", "then", "column", "changed"),
    [
        pytest.param(
            "number_then_string", 1, "two", "numeric", "was typed number and now string|number", id="number"
        ),
        pytest.param(
            "date_time_then_not",
            "2024-01-01T10:00:00Z",
            "2024-01-01 10:00",
            "timestamp",
            "was typed string:date-time and now string",
            id="date-time",
        ),
    ],
)
def test_a_change_target_postgres_refuses_fails_loudly_after_the_taps_warning(
    meltano_project, pg, api, stream, first, then, column, changed
):
    api.pages = sampled_alone([[{"id": 1, "v": first}], [{"id": 2, "v": then}]])
    run = meltano_run(meltano_project, api, stream, check=False)
    assert run.returncode != 0
    text = output(run)
    assert f"Stream {stream}: field 'v' {changed}: target-postgres keeps the {column} column it made" in text
    assert "change or drop that column in PostgreSQL" in text
    assert "Altering columns is not supported" in text  # the target's own refusal
    assert 2 not in loaded(pg, stream, "v")


def test_the_types_sent_carry_over_to_the_next_run(meltano_project, pg, api):
    api.pages = [[{"id": 1, "who": "Ann", "extra": None}]]
    meltano_run(meltano_project, api, "carried")
    assert columns(pg, "carried")["who"] == "text"

    # the next run's first page has `who` only as null: without the kept types it would be typed
    # for jsonb, and target-postgres would store null as 'null' and "Bob" as '"Bob"' in the text column
    api.pages = sampled_alone(
        [[{"id": 2, "who": None, "extra": "x"}], [{"id": 3, "who": "Bob", "extra": {"k": 1}}]]
    )
    meltano_run(meltano_project, api, "carried")
    assert loaded(pg, "carried", "who", "extra") == {
        1: {"who": "Ann", "extra": None},
        2: {"who": None, "extra": "x"},
        3: {"who": "Bob", "extra": {"k": 1}},
    }
    assert columns(pg, "carried")["extra"] == "jsonb"

    # and a number in that text column stops the run in a later run as in the first
    api.pages = [[{"id": 4, "who": 4}]]
    run = meltano_run(meltano_project, api, "carried", check=False)
    assert run.returncode != 0
    assert "stream carried: field 'who' was typed string and now string|number" in output(run)
    assert 4 not in loaded(pg, "carried", "who")

"""Inferred types (2026-12-07) and what the tap does when they widen, run by the real CLI.

Types are chosen for the shipped loader, target-postgres 0.8.1 (see tap_restspec/output/columns.py
and tests/e2e/test_widening_postgres.py for the same cases loaded into PostgreSQL): every
number a `number`, date-times and dates with their format, null-only values and empty
arrays typed for jsonb. A widening target-postgres would apply by changing a value stops
the stream with one line; one it refuses gets one WARNING; the types sent are remembered
in the state, so the next run starts from them.
"""

from __future__ import annotations

import json

from tap_restspec.sync.sample import SAMPLE_SIZE
from tests.cli.test_hostile_servers import FAST, fails_with, logged
from tests.helpers import TOKEN_PAGING, Reply, source_spec, token_pages

ANY = {"type": ["object", "array", "string", "number", "boolean", "null"]}



FILLER = 1000  # ids of the records that fill a first page


def sampled_alone(pages):
    """`pages` with the first filled to SAMPLE_SIZE records (ids from FILLER on): the schema's sample
    is then that page alone (a thin first page is sampled with the pages after it, 2026-12-07), so
    what the later pages hold comes after the sample.
    """
    filler = [{"id": FILLER + i} for i in range(SAMPLE_SIZE - len(pages[0]))]
    return [filler + pages[0], *pages[1:]]


def own(records):
    """The records without the filler."""
    return [r for r in records if r["id"] < FILLER]


def spec(url, **singer):
    singer = {"name": "items", "primaryKeys": ["id"], **singer}
    return source_spec(url, pagination=TOKEN_PAGING, singer=singer)


def schemas(result):
    return [m["schema"]["properties"] for m in result.messages() if m["type"] == "SCHEMA"]


def sequence(result):
    """SCHEMA and RECORD messages in order: ('SCHEMA', None) or ('RECORD', id)."""
    kinds = ("SCHEMA", "RECORD")
    return [
        (m["type"], m.get("record", {}).get("id"))
        for m in result.messages()
        if m["type"] in kinds and m.get("record", {}).get("id", 0) < FILLER
    ]


def test_date_times_and_dates_get_their_format_and_every_number_is_a_number(serve, run_spec):
    page = [
        {"id": 1, "at": "2024-01-01T10:00:00Z", "day": "2024-02-29", "n": 10, "note": "2024-01-01"},
        {"id": 2, "at": "2024-03-01T10:00:00.123456+05:30", "day": None, "n": 3, "note": "soon"},
    ]
    result = run_spec.cli(spec(serve(token_pages([page])).url), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    (first,) = schemas(result)
    assert first["at"] == {"type": ["string", "null"], "format": "date-time"}
    assert first["day"] == {"type": ["string", "null"], "format": "date"}
    assert first["n"] == first["id"] == {"type": ["number", "null"]}
    assert first["note"] == {"type": ["string", "null"]}  # not all dates
    assert result.records() == page


def test_ten_then_ten_and_a_half_needs_no_widening(serve, run_spec):
    pages = [[{"id": 1, "n": 10}], [{"id": 2, "n": 10.5}]]
    result = run_spec.cli(spec(serve(token_pages(pages)).url), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert sequence(result) == [("SCHEMA", None), ("RECORD", 1), ("RECORD", 2)]
    assert result.records()[1]["n"] == 10.5


def test_values_seen_only_as_null_or_in_empty_arrays_are_typed_so_that_any_later_value_fits(serve, run_spec):
    pages = [
        [{"id": 1, "owner": None, "tags": [], "who": None}],
        [{"id": 2, "owner": {"name": "Ann"}, "tags": [{"k": 1}, "x"], "who": "Bob"}],
    ]
    result = run_spec.cli(spec(serve(token_pages(sampled_alone(pages))).url), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert sequence(result) == [("SCHEMA", None), ("RECORD", 1), ("RECORD", 2)]  # nothing to widen
    (first,) = schemas(result)
    assert first["owner"] == first["who"] == ANY  # jsonb in target-postgres
    assert first["tags"] == {"type": ["array", "null"], "items": ANY}  # jsonb[]
    assert own(result.records()) == [r for page in pages for r in page]
    assert not logged(result, "WARNING")


def test_a_property_new_on_page_two_is_typed_by_the_whole_page(serve, run_spec):
    pages = [[{"id": 1}], [{"id": 2, "plan": None}, {"id": 3, "plan": "pro"}, {"id": 4, "seen": None}]]
    result = run_spec.cli(spec(serve(token_pages(sampled_alone(pages))).url), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert sequence(result) == [
        ("SCHEMA", None),
        ("RECORD", 1),
        ("SCHEMA", None),
        *[("RECORD", i) for i in (2, 3, 4)],
    ]
    last = schemas(result)[-1]
    assert last["plan"] == {"type": ["string", "null"]}
    assert last["seen"] == ANY


def test_a_string_field_that_later_holds_a_number_stops_the_stream_with_one_line(serve, run_spec):
    pages = [[{"id": 1, "code": "A7"}], [{"id": 2, "code": 7}]]
    result = run_spec.cli(spec(serve(token_pages(sampled_alone(pages))).url), **FAST)
    line = fails_with(result, "stream items: field 'code' was typed string and now string|number: ")
    assert "target-postgres would store those values as text in the text column" in line
    assert "so the stream stops: declare the field's type in the spec's custom schema" in line
    assert own(result.records()) == [{"id": 1, "code": "A7"}]  # the number never goes out
    assert len(schemas(result)) == 1


def test_a_string_field_that_later_holds_an_object_or_a_boolean_stops_too(serve, run_spec):
    pages = [[{"id": 1, "a": "x", "b": "y"}], [{"id": 2, "a": {"k": 1}, "b": True}]]
    result = run_spec.cli(spec(serve(token_pages(sampled_alone(pages))).url), **FAST)
    line = fails_with(result, "stream items: field 'a' was typed string and now any: ")
    assert "field 'b' was typed string and now string|boolean" in line
    assert own(result.records()) == [{"id": 1, "a": "x", "b": "y"}]


def test_a_number_field_that_later_holds_a_string_widens_with_one_warning(serve, run_spec):
    pages = [[{"id": 1, "n": 1}], [{"id": 2, "n": "two"}], [{"id": 3, "n": "three"}]]
    result = run_spec.cli(spec(serve(token_pages(sampled_alone(pages))).url), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    (warning,) = logged(result, "WARNING", "field 'n'")
    assert (
        "field 'n' was typed number and now string|number: target-postgres keeps the numeric column"
        in warning
    )
    assert "change or drop that column in PostgreSQL, or declare the field's type" in warning
    assert schemas(result)[-1]["n"] == {
        "type": ["string", "number", "null"]
    }  # the union, as the contract says
    assert sequence(result) == [
        ("SCHEMA", None),
        ("RECORD", 1),
        ("SCHEMA", None),
        ("RECORD", 2),
        ("RECORD", 3),
    ]


def test_a_date_time_that_stops_being_one_loses_its_format_with_one_warning(serve, run_spec):
    pages = [[{"id": 1, "at": "2024-01-01T10:00:00Z"}], [{"id": 2, "at": "2024-01-01T10:00:00.1234567Z"}]]
    result = run_spec.cli(spec(serve(token_pages(sampled_alone(pages))).url), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    (warning,) = logged(result, "WARNING", "field 'at'")
    assert "was typed string:date-time and now string: target-postgres keeps the timestamp column" in warning
    first, last = schemas(result)
    assert first["at"]["format"] == "date-time" and last["at"] == {"type": ["string", "null"]}
    assert own(result.records())[1]["at"] == "2024-01-01T10:00:00.1234567Z"


def test_a_change_inside_an_object_widens_without_a_word(serve, run_spec):
    pages = [[{"id": 1, "o": {"x": 1}}], [{"id": 2, "o": {"x": "one", "y": None}}]]
    result = run_spec.cli(spec(serve(token_pages(pages)).url), **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert not logged(result, "WARNING")
    assert schemas(result)[-1]["o"]["properties"]["x"] == {"type": ["string", "number", "null"]}
    assert result.records()[1] == {"id": 2, "o": {"x": "one", "y": None}}


def test_a_key_typed_before_the_sample_showed_it_warns_when_it_holds_numbers(serve, run_spec):
    window = {"scheduleStartParamName": "since", "scheduleEndParamName": "until"}
    api = serve(lambda seen: Reply(body={"items": [] if seen.q("since") < "2024-01-02" else [{"id": 5}]}))
    document = source_spec(
        api.url, schedule=window, singer={"name": "items", "primaryKeys": ["id"], "windowStep": "P1D"}
    )
    result = run_spec.cli(
        document, start_date="2024-01-01T00:00:00Z", end_date="2024-01-03T00:00:00Z", **FAST
    )
    assert result.code == 0, result.stderr[-2000:]
    (warning,) = logged(result, "WARNING", "key 'id'")
    assert (
        "key 'id' was typed string and now string|number: target-postgres stores those values as text"
        in warning
    )
    assert result.records() == [{"id": 5}]


def test_the_types_sent_are_remembered_and_the_next_run_starts_from_them(serve, run_spec):
    pages = [[{"id": 1, "name": "a", "owner": None}]]
    api = serve(lambda seen: token_pages(pages)(seen))
    first = run_spec.cli(spec(api.url), **FAST)
    assert first.code == 0, first.stderr[-2000:]
    state = [m["value"] for m in first.messages() if m["type"] == "STATE"][-1]
    assert state["types"] == {"items": {"id": "number", "name": "string", "owner": "any"}}

    # the next run's first page has `name` only as null: it stays text, it does not become jsonb
    pages[:] = [[{"id": 2, "name": None, "owner": "Ann"}], [{"id": 3, "name": "c", "owner": {"k": 1}}]]
    second = run_spec.cli(spec(api.url), state=state, **FAST)
    assert second.code == 0, second.stderr[-2000:]
    assert not logged(second, "WARNING")
    (only,) = schemas(second)
    assert only["name"] == {"type": ["string", "null"]} and only["owner"] == ANY
    assert second.records() == [r for page in pages for r in page]

    # and a number in that text column stops it, in a later run as in the first
    pages[:] = [[{"id": 4, "name": 4}]]
    third = run_spec.cli(spec(api.url), state=state, **FAST)
    fails_with(third, "stream items: field 'name' was typed string and now string|number: ")
    assert third.records() == []


def test_a_catalog_from_discover_starts_from_the_remembered_types_too(serve, run_spec, tmp_path):
    api = serve(token_pages([[{"id": 1, "name": None}]]))
    document = spec(api.url)
    discovered = run_spec.cli(document, "--discover", **FAST)
    catalog = json.loads(discovered.stdout)
    assert catalog["streams"][0]["schema"]["properties"]["name"] == ANY
    for entry in catalog["streams"][0]["metadata"]:
        entry["metadata"]["selected"] = True
    (tmp_path / "catalog.json").write_text(json.dumps(catalog))
    state = {"types": {"items": {"id": "number", "name": "string"}}}
    result = run_spec.cli(document, "--catalog", str(tmp_path / "catalog.json"), state=state, **FAST)
    assert result.code == 0, result.stderr[-2000:]
    # the first SCHEMA already says so: target-postgres makes its columns from the first
    (first,) = schemas(result)
    assert first["name"] == {"type": ["string", "null"]}
    assert sequence(result)[-1] == ("RECORD", 1)  # every SCHEMA before the record


def test_a_key_a_discover_sample_did_not_show_keeps_its_remembered_date_time(serve, run_spec, tmp_path):
    # scripts/demo's second run: the first parent's child pass is empty when --discover samples,
    # so the catalog types the key `at` as a plain string; the table has a timestamp column
    api = serve(token_pages([[{"id": 1, "at": "2024-01-02T03:04:05Z"}]]))
    document = spec(api.url, primaryKeys=["id", "at"])
    catalog = {
        "streams": [
            {
                "tap_stream_id": "items",
                "stream": "items",
                "schema": {
                    "type": "object",
                    "properties": {"id": {"type": ["string", "null"]}, "at": {"type": ["string", "null"]}},
                },
                "metadata": [{"breadcrumb": [], "metadata": {"selected": True}}],
            }
        ]
    }
    (tmp_path / "catalog.json").write_text(json.dumps(catalog))
    state = {"types": {"items": {"id": "number", "at": "string:date-time"}}}
    result = run_spec.cli(document, "--catalog", str(tmp_path / "catalog.json"), state=state, **FAST)
    assert result.code == 0, result.stderr[-2000:]
    assert not logged(result, "WARNING")
    (first,) = schemas(result)
    assert first["at"] == {"type": ["string", "null"], "format": "date-time"}

"""records.py: content paths, keep/skip, explode and schemas, as tables of cases."""

from __future__ import annotations

import pytest

from tap_restspec.extract.records import BodyError, Extractor
from tap_restspec.model.jsonpath import PathError, compile_path, last_name
from tap_restspec.model.spec import Selection
from tap_restspec.output.inference import infer_schema, widen, widen_page
from tap_restspec.output.schema import record_schema, with_keys


def sel(path, keep=None, skip=(), wrapper=None):
    return Selection(path, tuple(keep) if keep is not None else None, tuple(skip), wrapper or last_name(path))


BODY = {
    "members": [
        {"id": 1, "name": "a", "_links": [1], "list_id": "L"},
        {"id": 2, "name": "b", "_links": [], "list_id": "L"},
    ],
    "data": {"sources": [{"id": "s1"}], "pagination": {"next": "c2"}},
    "groups": [{"items": [{"id": 10}, {"id": 11}]}, {"items": [{"id": 12}]}],
    "total_items": 2,
}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        pytest.param(sel("$.members"), BODY["members"], id="one-array"),
        pytest.param(sel("members"), BODY["members"], id="no-dollar"),
        pytest.param(sel("$.data.sources"), [{"id": "s1"}], id="nested"),
        pytest.param(sel("$['data']['sources']"), [{"id": "s1"}], id="brackets"),
        pytest.param(sel("$.members[*]"), BODY["members"], id="wildcard-elements"),
        pytest.param(sel("$.groups[*].items[*]"), [{"id": 10}, {"id": 11}, {"id": 12}], id="wildcard-deep"),
        pytest.param(
            sel("$.members", keep=["id", "name"]), [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}], id="keep"
        ),
        pytest.param(
            sel("$.members", skip=["_links", "list_id"]),
            [{"id": 1, "name": "a"}, {"id": 2, "name": "b"}],
            id="skip",
        ),
        pytest.param(
            sel("$.members", keep=["id", "_links"], skip=["_links"]),
            [{"id": 1}, {"id": 2}],
            id="keep-then-skip",
        ),
    ],
)
def test_records_from_content_path(content, expected):
    extractor = Extractor(content)
    assert list(extractor.records(extractor.raw_records(BODY))) == expected


def test_content_path_that_matches_nothing_is_no_page_of_records():
    assert Extractor(sel("$.results")).raw_records(BODY) is None
    assert Extractor(sel("$.results")).raw_records({"results": None}) is None


@pytest.mark.parametrize("value", [3, "x", True])
def test_content_path_that_matches_a_scalar_is_an_error(value):
    with pytest.raises(BodyError, match=r"contentPath '\$.total' matched a"):
        Extractor(sel("$.total")).raw_records({"total": value})


def test_elements_that_are_not_objects_become_value_records_and_nulls_are_skipped():
    extractor = Extractor(sel("$.invites"))
    raw = extractor.raw_records({"invites": ["a@x.io", None, 3]})
    assert list(extractor.records(raw)) == [{"value": "a@x.io"}, {"value": 3}]


def test_empty_array_is_no_records():
    extractor = Extractor(sel("$.items"))
    assert extractor.raw_records({"items": []}) == []


def test_invalid_jsonpath_is_a_path_error():
    with pytest.raises(PathError):
        compile_path("$.items[?(")


EMAILS = {
    "emails": [
        {
            "email_id": "e1",
            "type": "regular",
            "_links": [],
            "activity": [
                {"action": "open", "type": "x", "timestamp": "t1"},
                {"action": "click", "timestamp": "t2", "url": "u"},
            ],
        },
        {"email_id": "e2", "type": "regular", "activity": []},
        {"email_id": "e3", "type": "regular"},
    ]
}


@pytest.mark.parametrize(
    ("content", "explode", "expected"),
    [
        pytest.param(
            sel("$.emails", skip=["_links"]),
            sel("$.emails.activity"),
            [
                {
                    "email_id": "e1",
                    "type": "regular",
                    "action": "open",
                    "activity_type": "x",
                    "timestamp": "t1",
                },
                {"email_id": "e1", "type": "regular", "action": "click", "timestamp": "t2", "url": "u"},
            ],
            id="collision-gets-wrapper-prefix",
        ),
        pytest.param(
            sel("$.emails", skip=["_links"], wrapper="email"),
            sel("$.email.activity", skip=["url"], keep=["action", "url", "timestamp"]),
            [
                {"email_id": "e1", "type": "regular", "action": "open", "timestamp": "t1"},
                {"email_id": "e1", "type": "regular", "action": "click", "timestamp": "t2"},
            ],
            id="override-wrapper-keep-skip",
        ),
        pytest.param(
            sel("$.emails", keep=["email_id"]),
            sel("$.emails.activity", wrapper="act"),
            [
                {"email_id": "e1", "action": "open", "type": "x", "timestamp": "t1"},
                {"email_id": "e1", "action": "click", "timestamp": "t2", "url": "u"},
            ],
            id="kept-parent-fields-only",
        ),
    ],
)
def test_explode(content, explode, expected):
    extractor = Extractor(content, explode)
    assert list(extractor.records(extractor.raw_records(EMAILS))) == expected


def test_explode_renames_by_the_parent_schema_too():
    # `type` is a parent field by the schema even when this parent record lacks it
    extractor = Extractor(sel("$.emails"), sel("$.emails.activity"), parent_fields=frozenset({"type"}))
    raw = [{"email_id": "e9", "activity": [{"type": "open"}]}]
    assert list(extractor.records(raw)) == [{"email_id": "e9", "activity_type": "open"}]


WHOLE = {
    "type": "object",
    "properties": {
        "results": {
            "type": "array",
            "items": {"type": "object", "properties": {"id": {"type": "integer"}, "x": {"type": "string"}}},
        },
        "meta": {"type": "object"},
    },
}
RECORD = {"type": "object", "properties": {"id": {"type": "integer"}, "x": {"type": "string"}}}
# A custom schema's types admit null (2026-12-07: "unless the property is listed in `required`").
NULLABLE = {"id": {"type": ["integer", "null"]}, "x": {"type": ["string", "null"]}}


@pytest.mark.parametrize(
    ("custom", "content", "expected"),
    [
        pytest.param(WHOLE, sel("$.results"), NULLABLE, id="whole-response"),
        pytest.param(RECORD, sel("$.results"), NULLABLE, id="record"),
        pytest.param(WHOLE, sel("$.results", skip=["x"]), {"id": NULLABLE["id"]}, id="whole-with-skip"),
    ],
)
def test_custom_schema_forms(custom, content, expected):
    schema, _ = record_schema(custom, content, None)
    assert schema["properties"] == expected


def test_explode_merges_parent_and_child_schemas_like_records():
    custom = {
        "type": "object",
        "properties": {
            "emails": {
                "type": "array",
                "items": {
                    "type": "object",
                    "properties": {
                        "email_id": {"type": "string"},
                        "type": {"type": "string"},
                        "activity": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "properties": {"action": {"type": "string"}, "type": {"type": "string"}},
                            },
                        },
                    },
                },
            }
        },
    }
    schema, parents = record_schema(custom, sel("$.emails"), sel("$.emails.activity"))
    assert set(schema["properties"]) == {"email_id", "type", "action", "activity_type"}
    assert parents == {"email_id", "type"}


ANY = {"type": ["object", "array", "string", "number", "boolean", "null"]}
NUMBER = {"type": ["number", "null"]}


# Inferred types as the 2026-12-07 contract has them: every number a `number`, date-times and dates
# with their format, null-only and always-empty values (and mixed types) typed for jsonb.
@pytest.mark.parametrize(
    ("records", "expected"),
    [
        pytest.param([{"a": 1}, {"a": 1.5}], {"a": NUMBER}, id="int-and-float"),
        pytest.param([{"a": 10}], {"a": NUMBER}, id="integers-are-numbers"),
        pytest.param(
            [{"a": "x"}, {"b": True}],
            {"a": {"type": ["string", "null"]}, "b": {"type": ["boolean", "null"]}},
            id="union-of-keys",
        ),
        pytest.param([{"a": None}], {"a": ANY}, id="null-only"),
        pytest.param([{"a": None}, {"a": "x"}], {"a": {"type": ["string", "null"]}}, id="null-then-string"),
        pytest.param(
            [{"a": {"b": 1}}],
            {"a": {"type": ["object", "null"], "properties": {"b": NUMBER}}},
            id="nested",
        ),
        pytest.param([{"a": [1, 2]}], {"a": {"type": ["array", "null"], "items": NUMBER}}, id="array"),
        pytest.param([{"a": []}], {"a": {"type": ["array", "null"], "items": ANY}}, id="empty-array"),
        pytest.param([{"a": 1}, {"a": {"b": 1}}], {"a": ANY}, id="mixed-structure-accepts-anything"),
        pytest.param([{"a": 1}, {"a": "x"}], {"a": ANY}, id="mixed-scalars-are-jsonb"),
        pytest.param(
            [{"a": "2024-01-01T10:00:00Z"}, {"a": "2024-02-29T23:59:59.123456+05:30"}, {"a": None}],
            {"a": {"type": ["string", "null"], "format": "date-time"}},
            id="date-time",
        ),
        pytest.param([{"a": "2024-02-29"}], {"a": {"type": ["string", "null"], "format": "date"}}, id="date"),
        pytest.param(
            [{"a": "2024-01-01T10:00:00Z"}, {"a": "soon"}], {"a": {"type": ["string", "null"]}}, id="not-all"
        ),
        pytest.param(
            [{"a": "2024-01-01T10:00:00.1234567Z"}], {"a": {"type": ["string", "null"]}}, id="nanoseconds"
        ),
        pytest.param([{"a": "2023-02-29"}], {"a": {"type": ["string", "null"]}}, id="no-such-day"),
        pytest.param([{"a": "2024-01-01T10:00:00"}], {"a": {"type": ["string", "null"]}}, id="no-offset"),
    ],
)
def test_inferred_schema(records, expected):
    assert infer_schema(records)["properties"] == expected


def test_every_key_property_is_in_the_schema_even_from_an_empty_sample():
    schema = with_keys(infer_schema([]), ["id", "updated_at"])
    text = {"type": ["string", "null"]}
    assert schema["properties"] == {"id": text, "updated_at": text}


def test_explode_without_children_in_the_sample_still_has_the_child_keys():
    sample = [{"email_id": "e", "activity": []}]
    schema, _ = record_schema(None, sel("$.emails"), sel("$.emails.activity"), sample)
    assert set(with_keys(schema, ["email_id", "action", "timestamp"])["properties"]) == {
        "email_id",
        "action",
        "timestamp",
    }


@pytest.mark.parametrize(
    ("before", "record", "after"),
    [
        pytest.param({"a": {"type": ["integer", "null"]}}, {"b": "x"}, {"a": {"type": ["integer", "null"]},
                     "b": {"type": ["string", "null"]}}, id="new-property"),
        pytest.param({"a": {"type": ["integer", "null"]}}, {"a": 2.5}, {"a": {"type": ["number", "null"]}},
                     id="integer-to-number"),
        pytest.param({"a": {"type": ["integer", "null"]}}, {"a": "three"},
                     {"a": {"type": ["string", "integer", "null"]}}, id="union"),
        pytest.param({"a": {"type": ["null"]}}, {"a": "x"},
                     {"a": {"type": ["string", "null"]}}, id="null-then-string"),
        pytest.param({"a": {"type": "string", "format": "date-time"}}, {"a": None},
                     {"a": {"type": ["string", "null"], "format": "date-time"}}, id="keeps-other-keywords"),
        pytest.param({"a": {"type": ["integer", "null"]}}, {"a": 10**30}, {"a": {"type": ["number", "null"]}},
                     id="big-integer-is-a-number"),
        pytest.param({"a": {"type": ["string", "null"], "format": "date-time"}}, {"a": "soon"},
                     {"a": {"type": ["string", "null"]}}, id="a-date-time-that-stops-being-one"),
        pytest.param({}, {"a": None}, {"a": ANY}, id="new-null-property-is-jsonb"),
        pytest.param({}, {"a": 3}, {"a": NUMBER}, id="new-integer-property-is-a-number"),
        pytest.param({}, {"a": []}, {"a": {"type": ["array", "null"], "items": ANY}}, id="new-empty-array"),
    ],
)
def test_widening(before, record, after):
    assert widen({"type": "object", "properties": before}, record)["properties"] == after


def test_widening_what_already_fits_changes_nothing():
    schema = {"type": "object", "properties": {"a": {"type": ["integer", "null"], "description": "d"}}}
    assert widen(schema, {"a": 1}) is schema


def test_a_page_is_typed_together_and_remembered_types_come_first():
    schema = {"type": "object", "properties": {}}
    page = [{"a": None, "b": None}, {"a": "x", "b": None}]
    assert widen_page(schema, page)["properties"] == {"a": {"type": ["string", "null"]}, "b": ANY}
    remembered = {"b": {"type": ["number", "null"]}}
    assert widen_page(schema, page, remembered)["properties"]["b"] == NUMBER

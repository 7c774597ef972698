"""output/schema.py and output/inference.py: record schemas (custom, inferred, keys added) and
widening, as tables of cases.
"""

from __future__ import annotations

import pytest

from tap_restspec.model.jsonpath import last_name
from tap_restspec.model.spec import Selection
from tap_restspec.output.inference import infer_schema, widen, widen_page
from tap_restspec.output.schema import record_schema, with_keys


def sel(path, keep=None, skip=(), wrapper=None):
    return Selection(path, tuple(keep) if keep is not None else None, tuple(skip), wrapper or last_name(path))


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

"""conform.py: the fast path says "unchanged" only where the SDK's conformance changes nothing."""

from __future__ import annotations

import logging
import random

import pytest
from singer_sdk.helpers._typing import TypeConformanceLevel, conform_record_data_types

from tap_restspec.conform import compile_check

SCHEMA = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "n": {"type": ["integer", "null"]},
        "rate": {"type": ["number", "null"]},
        "vip": {"type": ["boolean", "null"]},
        "tags": {
            "type": ["array", "null"],
            "items": {"type": "object", "properties": {"id": {"type": "integer"}, "on": {"type": "boolean"}}},
        },
        "words": {"type": "array", "items": {"type": "string"}},
        "flags": {"type": "array", "items": {"type": "boolean"}},
        "stats": {
            "type": ["object", "null"],
            "properties": {
                "open": {"type": "number"},
                "deep": {"type": "object", "properties": {"x": {"type": "boolean"}}},
            },
        },
        "free": {"type": ["object", "null"], "additionalProperties": True},
        "any": {"type": ["object", "array", "string", "number", "integer", "boolean", "null"]},
    },
}


def sdk(record):
    return conform_record_data_types(
        "s", record, SCHEMA, TypeConformanceLevel.RECURSIVE, logging.getLogger("t")
    )


@pytest.mark.parametrize(
    ("record", "unchanged"),
    [
        pytest.param(
            {
                "id": "a",
                "n": 1,
                "rate": 0.5,
                "vip": True,
                "tags": [{"id": 1, "on": False}],
                "words": ["x"],
                "flags": [True],
                "stats": {"open": 1, "deep": {"x": None}},
                "free": {"whatever": [1]},
                "any": {"z": 1},
            },
            True,
            id="clean",
        ),
        pytest.param({"id": "a"}, True, id="sparse"),
        pytest.param({"id": "a", "extra": 1}, False, id="unknown-key"),
        pytest.param({"id": "a", "vip": 1}, False, id="int-in-boolean"),
        pytest.param({"id": "a", "tags": [{"id": 1, "x": 2}]}, False, id="unknown-key-in-list-item"),
        pytest.param({"id": "a", "tags": [{"id": 1, "on": 0}]}, False, id="int-in-nested-boolean"),
        pytest.param({"id": "a", "flags": [1]}, False, id="int-in-boolean-list"),
        pytest.param({"id": "a", "stats": {"deep": {"x": 1}}}, False, id="deep-boolean"),
        pytest.param({"id": "a", "stats": {"new": 1}}, False, id="unknown-nested-key"),
        pytest.param({"id": "a", "stats": None, "tags": None, "vip": None}, True, id="nulls"),
    ],
)
def test_fast_path_verdicts(record, unchanged):
    assert compile_check(SCHEMA)(record) is unchanged
    if unchanged:
        assert sdk(record) == record


def random_value(rng, depth=0):
    kinds = ["str", "int", "float", "bool", "none"] + (["list", "dict"] if depth < 3 else [])
    kind = rng.choice(kinds)
    if kind == "list":
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    if kind == "dict":
        keys = ["id", "on", "open", "deep", "x", "other"]
        return {rng.choice(keys): random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}
    return {
        "str": "s",
        "int": rng.randint(0, 2),
        "float": rng.random(),
        "bool": rng.random() < 0.5,
        "none": None,
    }[kind]


def test_whenever_the_fast_path_says_unchanged_the_sdk_agrees():
    rng = random.Random(7)
    check = compile_check(SCHEMA)
    keys = [*SCHEMA["properties"], "unknown"]
    agreed = 0
    for _ in range(20000):
        record = {key: random_value(rng) for key in rng.sample(keys, rng.randint(1, 5))}
        if check(record):
            assert sdk(record) == record, record
            assert list(sdk(record)) == list(record)  # same key order too
            agreed += 1
    assert agreed > 1000  # the fast path is taken often, not only for trivial records

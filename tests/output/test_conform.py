"""output/conform.py: the compiled check says "fits" exactly when the record is valid and nothing
would change.
"""

from __future__ import annotations

import random

import pytest
from jsonschema import Draft7Validator

from tap_restspec.output.conform import compile_fits, compile_page_fits, conform

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


def oracle(record):
    """Fits when jsonschema says valid and the custom-schema conformance would change nothing."""
    dropped = set()
    valid = Draft7Validator(SCHEMA).is_valid(record)
    return valid and conform(record, SCHEMA, dropped) == record and not dropped


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
                "stats": {"open": 1, "deep": {"x": True}},
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
        pytest.param({"id": 1}, False, id="int-in-string"),
        pytest.param({"id": "a", "n": 1.5}, False, id="float-in-integer"),
        pytest.param({"id": "a", "n": True}, False, id="boolean-in-integer"),
        pytest.param({"id": "a", "rate": 2}, True, id="int-in-number"),
        pytest.param({"id": "a", "words": ["x", 1]}, False, id="int-in-string-list"),
        pytest.param({"id": "a", "n": 10**40}, True, id="big-integer"),
    ],
)
def test_verdicts(record, unchanged):
    assert compile_fits(SCHEMA)(record) is unchanged
    assert oracle(record) is unchanged


def test_conform_drops_what_the_schema_does_not_list_and_makes_booleans():
    dropped = set()
    record = {"id": "a", "extra": 1, "vip": 1, "stats": {"open": 1, "new": 2}, "tags": [{"id": 1, "x": 2}]}
    expected = {"id": "a", "vip": True, "stats": {"open": 1}, "tags": [{"id": 1}]}
    assert conform(record, SCHEMA, dropped) == expected
    assert dropped == {"extra", "stats.new", "tags.x"}


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


def test_the_check_agrees_with_jsonschema_on_random_records():
    rng = random.Random(7)
    check = compile_fits(SCHEMA)
    keys = [*SCHEMA["properties"], "unknown"]
    agreed = 0
    for _ in range(20000):
        record = {key: random_value(rng) for key in rng.sample(keys, rng.randint(1, 5))}
        verdict = check(record)
        assert verdict is oracle(record), record
        agreed += verdict
    assert agreed > 1000  # records fit often, not only trivial ones


DATED = {
    "type": "object",
    "properties": {
        "id": {"type": "string"},
        "at": {"type": ["string", "null"], "format": "date-time"},
        "day": {"type": ["string", "null"], "format": "date"},
        "tags": {"type": "array", "items": {"type": "string"}},
    },
}


def random_date_time(rng):
    """A date-time, often valid, else one small change away (a digit, a Unicode digit, a day past
    the month's end, Feb 29, a newline, seven fraction digits, a lower-case T or Z, ...).
    """
    year = rng.choice([rng.randint(1, 9999), 1900, 2000, 2024, 2023, 0])
    text = (
        f"{year:04d}-{rng.randint(0, 13):02d}-{rng.choice([1, 28, 29, 30, 31, 32, rng.randint(1, 31)]):02d}"
        f"T{rng.randint(0, 24):02d}:{rng.randint(0, 60):02d}:{rng.randint(0, 60):02d}"
        + rng.choice(["", ".1", ".123456", ".1234567"])
        + rng.choice(["Z", "+00:00", "-05:30", "+24:00", "+02:60", "z"])
    )
    change = rng.randint(0, 9)
    if change == 0:
        at = rng.randrange(len(text))
        text = text[:at] + rng.choice(["\n", "٣", "t", " ", "9", "-", ""]) + text[at + 1 :]
    elif change == 1:
        text += rng.choice(["\n", " ", "x"])
    return text


def test_the_page_check_says_fits_only_when_every_record_fits():
    """A page check that says yes agrees with the record check on every record; one that says no
    hands the page to the record check (so verdicts are the record check's alone).
    """
    rng = random.Random(11)
    one = compile_fits(DATED)
    page = compile_page_fits(DATED)
    said_yes = 0
    for _ in range(3000):
        records = []
        for _ in range(rng.randint(0, 6)):
            at = random_date_time(rng) if rng.random() < 0.9 else rng.choice([None, 5])
            day = random_date_time(rng)[:10] if rng.random() < 0.9 else None
            records.append({"id": "a", "at": at, "day": day, "tags": ["x"]})
        if page(records):
            said_yes += bool(records)
            assert all(one(record) for record in records), records
    assert said_yes > 30  # pages of valid records are taken whole, not only empty ones
    valid = [{"id": "a", "at": "2024-02-29T23:59:59.5+02:00", "day": "2000-02-29", "tags": []}] * 1000
    assert page(valid) and all(map(one, valid))
    assert not page([*valid, {"id": "a", "at": "2023-02-29T00:00:00Z", "day": None, "tags": []}])
    arabic = {"id": "a", "at": "٢٠٢٤-01-01T00:00:00Z", "day": None, "tags": []}  # a date-time to `re`
    assert one(arabic) and not page([arabic])  # no verdict: the record check decides


def every_field_value():
    """Date-times that sweep each field through all its digits, the others valid."""
    yield from (f"{y:04d}-02-29T00:00:00Z" for y in range(10000))  # leap years, and year 0
    yield from (f"{y:04d}-01-01T00:00:00Z" for y in range(0, 10000, 7))
    for year in (2023, 2024, 1900, 2000):
        yield from (f"{year}-{m:02d}-{d:02d}T00:00:00Z" for m in range(100) for d in range(100))
    for a in range(100):
        yield from (f"2024-06-30T{a:02d}:00:00Z", f"2024-06-30T00:{a:02d}:00Z", f"2024-06-30T00:00:{a:02d}Z")
        for b in range(100):
            yield from (f"2024-06-30T12:30:30+{a:02d}:{b:02d}", f"2024-06-30T12:30:30-{a:02d}:{b:02d}")
    yield from (f"2024-06-30T12:30:30{'.' * bool(n)}{'5' * n}Z" for n in range(9))
    yield from ("2024-06-30t12:30:30Z", "2024-06-30T12:30:30z", "2024-06-30T12:30:30", "2024-06-30 12:30:30Z")


def test_the_page_check_of_date_times_is_the_pattern_on_every_field_value():
    """The page check's date-time and date verdicts (one match of the joined column, ASCII digits)
    equal the record check's, field by field: no value the pattern refuses is ever taken.
    """
    page = compile_page_fits(DATED)
    one = compile_fits(DATED)
    taken = 0
    for value in every_field_value():
        record = {"id": "a", "at": value, "day": value[:10], "tags": []}
        assert page([record]) is one(record), value
        taken += one(record)
    assert taken > 8000  # valid values are among them, not only refused ones

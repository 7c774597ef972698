"""extract/records.py: records from a body (content paths, keep/skip, explode), as tables of cases."""

from __future__ import annotations

import pytest

from tap_restspec.extract.records import BodyError, Extractor
from tap_restspec.model.jsonpath import PathError, compile_path, last_name
from tap_restspec.model.spec import Selection


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

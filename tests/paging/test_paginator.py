"""paging/paginator.py: when an end condition holds (`Const:` values, strings, absent fields)."""

from __future__ import annotations

import pytest

from tap_restspec.model.spec import EndCondition
from tap_restspec.paging.paginator import end_condition_holds
from tap_restspec.paging.types import PageView


@pytest.mark.parametrize(
    ("expected", "body", "holds"),
    [
        pytest.param(False, {"hasMore": False}, True, id="const-false"),
        pytest.param(False, {"hasMore": True}, False, id="const-false-not-yet"),
        pytest.param(False, {"hasMore": "false"}, False, id="string-is-not-boolean"),
        pytest.param("done", {"hasMore": "done"}, True, id="string"),
        pytest.param("false", {"hasMore": False}, True, id="string-compares-text"),
        pytest.param(False, {}, False, id="missing"),
    ],
)
def test_end_condition(expected, body, holds):
    page = PageView(body, [], {}, "http://h/x", {})
    assert end_condition_holds(EndCondition("$.hasMore", expected), page) is holds

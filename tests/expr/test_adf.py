"""Tests for tap_restspec.adf: ADF `@{...}` expressions."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any

import pytest

from tap_restspec.expr import adf
from tap_restspec.expr.adf import Expression, ExpressionError, has_expressions, parse, render, scan

NOW = datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=timezone.utc)
PARAMS: dict[str, Any] = {
    "ingestionStart": "2024-01-01T00:00:00Z",
    "ingestionEnd": "2024-01-02T12:30:00Z",
    "name": "Zen",
    "count": "42",
    "flag": True,
    "list": [1, 2],
    "emptyList": [],
    "emptyObject": {},
    "obj": {"a": {"b": "c"}},
    "blank": "",
    "nothing": None,
}

ZENDESK = (
    "/api/v2/search/export"
    "@{if(empty(coalesce(pipeline()?.parameters?.ingestionStart,'')),"
    "'?query=type:user&filter[type]=user&','')}"
)
ZENDESK_BACKFILL = "/api/v2/search/export?query=type:user&filter[type]=user&"


def value(source: str, parameters: Mapping[str, Any] | None = None) -> Any:
    return parse(source).evaluate(PARAMS if parameters is None else parameters, NOW)


# --- the Adobe Zendesk example -----------------------------------------------------


@pytest.mark.parametrize(
    ("parameters", "expected"),
    [
        pytest.param({"ingestionStart": None, "ingestionEnd": None}, ZENDESK_BACKFILL, id="null"),
        pytest.param({"ingestionStart": "", "ingestionEnd": ""}, ZENDESK_BACKFILL, id="empty"),
        pytest.param({}, ZENDESK_BACKFILL, id="missing"),
        pytest.param(
            {"ingestionStart": "2024-01-01T00:00:00Z", "ingestionEnd": "2024-01-02T00:00:00Z"},
            "/api/v2/search/export",
            id="incremental",
        ),
    ],
)
def test_zendesk_path(parameters: dict[str, Any], expected: str) -> None:
    assert render(ZENDESK, parameters, NOW) == expected


# --- evaluation --------------------------------------------------------------------

CASES = [
    # literals and string escapes
    ("'abc'", "abc", "string"),
    ("''", "", "empty-string"),
    ("'it''s'", "it's", "escaped-quote"),
    ("''''", "'", "only-escaped-quote"),
    ("'a}b{c'", "a}b{c", "braces-in-string"),
    ("'@{x}'", "@{x}", "expression-text-in-string"),
    ("42", 42, "int"),
    ("-7", -7, "negative-int"),
    ("1.5", 1.5, "float"),
    ("true", True, "true"),
    ("false", False, "false"),
    ("null", None, "null"),
    ("  'spaced'  ", "spaced", "whitespace"),
    # member access
    ("pipeline().parameters.name", "Zen", "dot"),
    ("pipeline()?.parameters?.name", "Zen", "safe-dot"),
    ("pipeline()?.parameters.name", "Zen", "mixed-safe-dot"),
    ("pipeline().parameters?.name", "Zen", "mixed-dot-safe"),
    ("pipeline().parameters['name']", "Zen", "index"),
    ("pipeline()?.parameters?['name']", "Zen", "safe-index"),
    ("pipeline().parameters[concat('na', 'me')]", "Zen", "computed-index"),
    ("pipeline().parameters.missing", None, "missing-parameter"),
    ("pipeline().parameters.missing.deeper", None, "member-of-null-dot"),
    ("pipeline().parameters?.missing?.deeper", None, "member-of-null-safe"),
    ("pipeline().parameters.obj.a.b", "c", "nested-object"),
    ("pipeline().parameters.list[1]", 2, "list-element"),
    ("pipeline().parameters.list[5]", None, "list-out-of-range"),
    ("pipeline().parameters.name.length", None, "member-of-string"),
    ("pipeline().Parameters.NAME", "Zen", "case-insensitive-member"),
    # if (lazy: the branch not taken is not evaluated)
    ("if(true, 'a', 'b')", "a", "if-true"),
    ("if(false, 'a', 'b')", "b", "if-false"),
    ("if(true, 'ok', formatDateTime(null))", "ok", "if-lazy"),
    # empty
    ("empty('')", True, "empty-string"),
    ("empty(null)", True, "empty-null"),
    ("empty('x')", False, "empty-text"),
    ("empty(pipeline().parameters.missing)", True, "empty-missing"),
    ("empty(pipeline().parameters.emptyList)", True, "empty-list"),
    ("empty(pipeline().parameters.emptyObject)", True, "empty-object"),
    ("empty(pipeline().parameters.list)", False, "empty-full-list"),
    ("empty(0)", False, "empty-zero"),
    # coalesce
    ("coalesce(null, null, 'x')", "x", "coalesce-third"),
    ("coalesce(null)", None, "coalesce-all-null"),
    ("coalesce('', 'x')", "", "coalesce-empty-is-not-null"),
    ("coalesce(pipeline().parameters.nothing, 'default')", "default", "coalesce-param"),
    # concat and string
    ("concat('a', 'b', 'c')", "abc", "concat"),
    ("concat('n=', 5, true, null)", "n=5True", "concat-mixed"),
    ("string(5)", "5", "string-int"),
    ("string(true)", "True", "string-true"),
    ("string(null)", "", "string-null"),
    ("string(pipeline().parameters.obj)", '{"a":{"b":"c"}}', "string-object"),
    # equality and logic
    ("equals(1, 1)", True, "equals-numbers"),
    ("equals(1, 1.0)", True, "equals-int-float"),
    ("equals('a', 'A')", False, "equals-case-sensitive"),
    ("equals(1, true)", False, "equals-number-boolean"),
    ("equals(null, pipeline().parameters.missing)", True, "equals-null"),
    ("equals(pipeline().parameters.flag, true)", True, "equals-boolean"),
    ("not(true)", False, "not"),
    ("and(true, false)", False, "and"),
    ("and(true, true, true)", True, "and-three"),
    ("or(false, true)", True, "or"),
    ("or(false, false)", False, "or-false"),
    # comparisons
    ("greater(2, 1)", True, "greater"),
    ("greater(1, 1)", False, "greater-equal"),
    ("greater('b', 'a')", True, "greater-strings"),
    ("less(1, 2.5)", True, "less"),
    ("greaterOrEquals(1, 1)", True, "greater-or-equals"),
    ("lessOrEquals(2, 1)", False, "less-or-equals"),
    # int
    ("int('42')", 42, "int-string"),
    ("int(' -3 ')", -3, "int-signed"),
    ("int(4.0)", 4, "int-float"),
    ("int(pipeline().parameters.count)", 42, "int-param"),
    # string functions
    ("toLower('AbC')", "abc", "to-lower"),
    ("toUpper('AbC')", "ABC", "to-upper"),
    ("toLower(null)", "", "to-lower-null"),
    ("replace('a-b-c', '-', '/')", "a/b/c", "replace"),
    ("replace('aaa', 'A', 'b')", "aaa", "replace-case-sensitive"),
    # dates
    (
        "formatDateTime(pipeline().parameters.ingestionStart)",
        "2024-01-01T00:00:00.0000000Z",
        "format-default",
    ),
    ("formatDateTime(pipeline().parameters.ingestionEnd, 'yyyy-MM-dd')", "2024-01-02", "format"),
    (
        "formatDateTime('2024-01-01T02:00:00+02:00', 'yyyy-MM-ddTHH:mm:ssZ')",
        "2024-01-01T00:00:00Z",
        "format-offset-to-utc",
    ),
    ("utcNow()", "2024-05-06T07:08:09.1234560Z", "utc-now"),
    ("utcNow('yyyy-MM-dd HH:mm')", "2024-05-06 07:08", "utc-now-format"),
    ("utcnow('s')", "2024-05-06T07:08:09", "utc-now-standard"),
    ("addDays('2024-01-31T00:00:00Z', 1)", "2024-02-01T00:00:00.0000000Z", "add-days"),
    ("addDays('2024-03-01T00:00:00Z', -1, 'yyyy-MM-dd')", "2024-02-29", "add-days-negative"),
    ("addHours('2024-01-01T23:00:00Z', 2, 'yyyy-MM-ddTHH')", "2024-01-02T01", "add-hours"),
    ("addMinutes('2024-01-01T00:00:00Z', 90, 'HH:mm')", "01:30", "add-minutes"),
    ("addSeconds('2024-01-01T00:00:00Z', -1, 's')", "2023-12-31T23:59:59", "add-seconds"),
    # nesting and case-insensitive names
    ("formatDateTime(addDays(utcNow(), -7), 'yyyy-MM-dd')", "2024-04-29", "nested-dates"),
    (
        "concat('updated>', formatDateTime(coalesce(pipeline().parameters.missing, "
        "pipeline().parameters.ingestionStart), 'yyyy-MM-dd'))",
        "updated>2024-01-01",
        "nested-concat",
    ),
    (
        "if(equals(toLower('ABC'), 'abc'), concat('x', string(int('3'))), 'no')",
        "x3",
        "nested-if",
    ),
    ("IF(EMPTY(''), 'y', 'n')", "y", "upper-case-names"),
    ("Concat(ToUpper('a'), toupper('b'))", "AB", "mixed-case-names"),
]


@pytest.mark.parametrize(("source", "expected"), [c[:2] for c in CASES], ids=[c[2] for c in CASES])
def test_evaluate(source: str, expected: Any) -> None:
    result = value(source)
    assert result == expected
    assert type(result) is type(expected)


def test_parameters_may_be_any_mapping() -> None:
    parameters = MappingProxyType({"ingestionStart": "2024-01-01"})
    assert value("pipeline().parameters.ingestionStart", parameters) == "2024-01-01"


def test_naive_now_is_taken_as_utc() -> None:
    now = datetime(2024, 1, 2, 3, 4, 5)
    assert parse("utcNow('yyyy-MM-ddTHH:mm:ssK')").evaluate({}, now) == "2024-01-02T03:04:05Z"


def test_expression_is_frozen_and_compared_by_source() -> None:
    expression = parse("concat('a', 'b')")
    assert expression == Expression("concat('a', 'b')")
    assert hash(expression) == hash(Expression("concat('a', 'b')"))
    assert expression.source == "concat('a', 'b')"
    with pytest.raises(dataclasses.FrozenInstanceError):
        expression.source = "x"  # type: ignore[misc]


# --- rendering ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        pytest.param(None, "", id="null"),
        pytest.param(True, "True", id="true"),
        pytest.param(False, "False", id="false"),
        pytest.param(3, "3", id="int"),
        pytest.param(1.5, "1.5", id="float"),
        pytest.param("x", "x", id="string"),
        pytest.param([1, "a", True], '[1,"a",true]', id="list"),
    ],
)
def test_render_value(given: Any, expected: str) -> None:
    assert adf.render_value(given) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("plain/path", "plain/path", id="no-expression"),
        pytest.param("/x/{id}?a=${b}", "/x/{id}?a=${b}", id="placeholders-untouched"),
        pytest.param("a@{true}b", "aTrueb", id="boolean"),
        pytest.param("@{null}", "", id="null"),
        pytest.param("@{int('7')}", "7", id="number"),
        pytest.param(
            "from=@{pipeline().parameters.ingestionStart}&to=@{pipeline().parameters.ingestionEnd}",
            "from=2024-01-01T00:00:00Z&to=2024-01-02T12:30:00Z",
            id="two-expressions",
        ),
        pytest.param("@@{'x'}", "@x", id="double-at-not-special"),
        pytest.param("@{'}'}@{'{'}", "}{", id="braces-in-strings"),
        pytest.param("@{concat('@{', 'x}')}", "@{x}", id="output-not-rescanned"),
    ],
)
def test_render(text: str, expected: str) -> None:
    assert render(text, PARAMS, NOW) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("no expressions {here}", [], id="none"),
        pytest.param("x@{'a}'}y", [(1, 8, "'a}'")], id="brace-in-quotes"),
        pytest.param("@{1}-@{'{'}", [(0, 4, "1"), (5, 11, "'{'")], id="two"),
        pytest.param("@@{1}", [(1, 5, "1")], id="double-at"),
        pytest.param("@{'it''s}'}", [(0, 11, "'it''s}'")], id="escaped-quote-then-brace"),
        pytest.param(
            ZENDESK,
            [(21, len(ZENDESK), ZENDESK[23:-1])],
            id="zendesk",
        ),
    ],
)
def test_scan(text: str, expected: list[tuple[int, int, str]]) -> None:
    found = scan(text)
    assert [(start, end, e.source) for start, end, e in found] == expected
    for start, end, expression in found:
        assert text[start:end] == "@{" + expression.source + "}"


def test_scan_escaped_quote_value() -> None:
    [(_, _, expression)] = scan("@{'it''s}'}")
    assert expression.evaluate({}, NOW) == "it's}"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("/a/@{x}", True, id="yes"),
        pytest.param("/a/{x}", False, id="placeholder"),
        pytest.param("a@b{c}", False, id="apart"),
    ],
)
def test_has_expressions(text: str, expected: bool) -> None:
    assert has_expressions(text) is expected


# --- errors ------------------------------------------------------------------------

PARSE_ERRORS = [
    ("foo(1)", "unknown function 'foo'", "unknown-function"),
    ("__import__('os')", "unknown function '__import__'", "no-python"),
    ("if(true, 'a')", "wrong number of arguments for if(): expected 3, got 2 at position 0", "if"),
    (
        "formatDateTime()",
        "wrong number of arguments for formatDateTime(): expected 1 or 2, got 0 at position 0",
        "optional-arity",
    ),
    (
        "concat('a', addDays('x', 1, 'o', 4))",
        "wrong number of arguments for addDays(): expected 2 or 3, got 4 at position 12",
        "nested-arity",
    ),
    (
        "concat()",
        "wrong number of arguments for concat(): expected at least 1, got 0 at position 0",
        "variadic",
    ),
    ("pipeline(1)", "wrong number of arguments for pipeline(): expected 0, got 1 at position 0", "pipeline"),
    ("concat('a'", "expected ',' or ')', found the end of the expression at position 10", "unclosed-call"),
    ("concat('a',)", "expected an expression, found ')' at position 11", "trailing-comma"),
    ("'abc", "unterminated string at position 0", "unterminated-string"),
    ("concat('a', 'b)", "unterminated string at position 12", "unterminated-string-arg"),
    ("", "expected an expression, found the end of the expression at position 0", "empty"),
    ("pipeline", "expected '(' after 'pipeline', found the end of the expression at position 8", "bare-name"),
    ("1 2", "expected the end of the expression, found '2' at position 2", "two-values"),
    ("pipeline().", "expected a member name, found the end of the expression at position 11", "dot-nothing"),
    (
        "pipeline().parameters['a'",
        "expected ']', found the end of the expression at position 25",
        "unclosed-index",
    ),
    ("concat('a' # 'b')", "unexpected character '#' at position 11", "bad-character"),
    ("1 + 2", "unexpected character '+' at position 2", "operator"),
]


@pytest.mark.parametrize(
    ("source", "problem"), [c[:2] for c in PARSE_ERRORS], ids=[c[2] for c in PARSE_ERRORS]
)
def test_parse_errors(source: str, problem: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        parse(source)
    assert str(caught.value) == f'{problem} in expression "{source}"'


def test_unknown_function_message_exactly() -> None:
    with pytest.raises(ExpressionError, match=r'^unknown function \'foo\' in expression "foo\(1\)"$'):
        parse("foo(1)")


def test_error_message_is_one_line() -> None:
    with pytest.raises(ExpressionError) as caught:
        parse("concat('a',\n  foo())")
    assert str(caught.value) == "unknown function 'foo' in expression \"concat('a',\\n  foo())\""


def test_too_deep_is_an_error_not_a_crash() -> None:
    source = "not(" * 200 + "true" + ")" * 200
    with pytest.raises(ExpressionError, match="nested too deeply"):
        parse(source)


SCAN_ERRORS = [
    (
        "/x@{if(true,'a','b')",
        "unterminated @{ (no closing }) in \"@{if(true,'a','b')\"",
        "unterminated-expression",
    ),
    (
        "/x@{concat('a)}",
        'unterminated string at position 7 in expression "concat(\'a)}"',
        "unterminated-string",
    ),
    ("a@{1}b@{foo()}", "unknown function 'foo' in expression \"foo()\"", "bad-second-expression"),
    (
        "@{}",
        'expected an expression, found the end of the expression at position 0 in expression ""',
        "empty",
    ),
]


@pytest.mark.parametrize(("text", "message"), [c[:2] for c in SCAN_ERRORS], ids=[c[2] for c in SCAN_ERRORS])
def test_scan_errors(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        scan(text)
    assert str(caught.value) == message
    with pytest.raises(ExpressionError):
        render(text, PARAMS, NOW)


EVALUATION_ERRORS = [
    (
        "formatDateTime(pipeline().parameters.nothing)",
        "formatDateTime() expects a timestamp, got null",
        "null-timestamp",
    ),
    (
        "formatDateTime(pipeline().parameters.blank)",
        "formatDateTime() expects a timestamp, got an empty string",
        "empty-timestamp",
    ),
    ("formatDateTime(5)", "formatDateTime() expects a timestamp, got a number", "number-timestamp"),
    ("if('yes', 'a', 'b')", "if() expects a boolean, got a string", "if-condition"),
    ("not(1)", "not() expects a boolean, got a number", "not"),
    ("and(true, null)", "and() expects a boolean, got null", "and"),
    (
        "greater(1, 'a')",
        "greater() compares two numbers or two strings, got a number and a string",
        "compare",
    ),
    ("int('abc')", "int() cannot convert 'abc' to an integer", "int-string"),
    ("int(1.5)", "int() cannot convert 1.5 to an integer", "int-float"),
    ("int(true)", "int() cannot convert a boolean to an integer", "int-boolean"),
    ("toLower(1)", "toLower() expects a string, got a number", "to-lower"),
    ("replace('a', '', 'b')", "replace() needs a non-empty string to replace", "replace-empty"),
    ("addDays(utcNow(), 'x')", "addDays() expects a number, got a string", "add-days-amount"),
    ("addDays('9999-12-31T00:00:00Z', 1)", "addDays(): the result is out of range", "add-days-overflow"),
    ("utcNow(1)", "utcNow() expects a format string, got a number", "format-type"),
]


@pytest.mark.parametrize(
    ("source", "problem"), [c[:2] for c in EVALUATION_ERRORS], ids=[c[2] for c in EVALUATION_ERRORS]
)
def test_evaluation_errors(source: str, problem: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        value(source)
    assert str(caught.value) == f'{problem} in expression "{source}"'


@pytest.mark.parametrize(
    ("source", "start"),
    [
        pytest.param("formatDateTime('not a date')", "formatDateTime(): ", id="bad-date"),
        pytest.param("formatDateTime(utcNow(), 'q')", "formatDateTime(): ", id="bad-format"),
        pytest.param("utcNow('Q')", "utcNow(): ", id="bad-standard-format"),
    ],
)
def test_date_errors_from_dates_module(source: str, start: str) -> None:
    with pytest.raises(ExpressionError) as caught:
        value(source)
    message = str(caught.value)
    assert message.startswith(start)
    assert message.endswith(f' in expression "{source}"')
    assert "\n" not in message


def test_expression_error_is_a_value_error() -> None:
    assert issubclass(ExpressionError, ValueError)


# --- values that grow: bounded in size and work ---------------------------------------------------


def grown(levels: int, seed: str = "'aaaaaaaaaa'") -> str:
    """`replace()` nested in itself: each level makes the value ten times longer."""
    source = seed
    for _ in range(levels):
        source = f"replace({source}, 'a', 'aaaaaaaaaa')"
    return source


A_THOUSAND = "'" + "a" * 1000 + "'"
NEAR_LIMIT = f"replace({A_THOUSAND}, 'a', '{'a' * 1048}')"  # 1,048,000 characters: 1 MB less 576


@pytest.mark.parametrize(
    ("source", "parameters", "problem"),
    [
        pytest.param(
            grown(9), {}, "replace() would make a value of 9.54 MB, more than the 1 MB", id="replace"
        ),
        pytest.param(
            f"concat({NEAR_LIMIT}, '{'b' * 600}')",
            {},
            "concat() would make a value of 1.01 MB, more than the 1 MB",
            id="concat-just-over",
        ),
        pytest.param(
            f"concat({grown(5)}, {grown(5)}, {grown(5)}, {grown(5)}, {grown(5)}, {grown(5)})",
            {},
            "concat() would make a value of 5.73 MB",
            id="concat-of-itself",
        ),
        pytest.param(
            "string(pipeline())",
            {"big": "x" * (2 << 20)},
            "an array or object written as text would be more than 1 MB",
            id="string-of-something-huge",
        ),
        pytest.param(
            f"toUpper({grown(7)})", {}, "replace() would make a value of 9.54 MB", id="inside-another-call"
        ),
        pytest.param(
            "and(" + ", ".join([f"equals({NEAR_LIMIT}, '')"] * 20) + ")",
            {},
            "the expression makes more than 16 MB of values in all",
            id="work",
        ),
    ],
)
def test_values_an_expression_makes_are_bounded(
    source: str, parameters: dict[str, Any], problem: str
) -> None:
    with pytest.raises(ExpressionError) as caught:
        value(source, parameters)
    message = str(caught.value)
    assert problem in message and "\n" not in message
    assert len(message) < 600  # a long expression is shortened in the message


def test_a_value_just_under_the_bound_is_made() -> None:
    assert len(value(NEAR_LIMIT)) == 1_048_000
    assert value(f"concat({grown(4)}, {grown(4)})") == "a" * 200_000
    assert value("string(pipeline())", {"list": list(range(3))}) == '{"parameters":{"list":[0,1,2]}}'


@pytest.mark.parametrize(
    ("where", "prop", "changes"),
    [
        ("query", "urlParams.queryParams.q", {"queryParams": {"q": f"@{{{grown(9)}}}"}}),
        ("path", "urlParams.path", {"path": f"/items/@{{{grown(9)}}}"}),
        ("header", "headerParams.X-Search", {"headerParams": {"X-Search": f"@{{{grown(9)}}}"}}),
        ("body", "bodyParams", {"method": "POST", "bodyParams": {"q": f"@{{{grown(9)}}}"}}),
    ],
)
def test_a_growing_expression_is_one_line_naming_the_spec_and_property_in_bounded_memory(
    serve, tmp_path, where: str, prop: str, changes: dict[str, Any]
) -> None:
    from tests.cli.test_hostile_servers import SCHEMA, fails_with, run_measured
    from tests.helpers import Reply, SpecRunner, source_spec

    api = serve(lambda seen: Reply(body={"items": [{"id": 1}]}))
    changes = dict(changes)
    path = changes.pop("path", "/items")
    config = SpecRunner(tmp_path).config(
        source_spec(api.url, path, schema=SCHEMA, **changes), "items.json", {}
    )
    result, elapsed, peak_mb = run_measured(tmp_path, config)
    line = fails_with(
        result, f"items.json: {prop}: replace() would make a value of 9.54 MB, more than the 1 MB"
    )
    assert line.startswith(str(tmp_path / "items.json"))
    assert api.seen == []
    assert peak_mb < 150 and elapsed < 10, (peak_mb, elapsed)  # it took 1.1 GB and a MemoryError

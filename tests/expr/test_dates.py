"""Tests for tap_restspec.dates.

Expected values come from Microsoft's "Custom date and time format strings" and
"Standard date and time format strings" documentation where it has examples, adapted
to UTC and to Python's microsecond precision (the 7th fraction digit is always 0).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta, timezone

import pytest

from tap_restspec.expr.dates import (
    DateFormatError,
    compile_format,
    format_datetime,
    parse_datetime,
    to_iso,
)

UTC = timezone.utc


def utc(
    year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0, us: int = 0
) -> datetime:
    return datetime(year, month, day, hour, minute, second, us, tzinfo=UTC)


# Microsoft's recurring example instant, 2009-06-15T13:45:30.
DOC = utc(2009, 6, 15, 13, 45, 30)
KEY = utc(2024, 1, 31, 23, 59, 59)

# (format, value, expected, id)
SPECIFIERS = [
    # Year (doc rows for y / yy / yyy / yyyy / yyyyy).
    ("%y", utc(1, 1, 1), "1", "y-0001"),
    ("%y", utc(900, 1, 1), "0", "y-0900"),
    ("%y", utc(1900, 1, 1), "0", "y-1900"),
    ("%y", DOC, "9", "y-2009"),
    ("%y", utc(2019, 6, 15), "19", "y-2019"),
    ("yy", utc(1, 1, 1), "01", "yy-0001"),
    ("yy", utc(900, 1, 1), "00", "yy-0900"),
    ("yy", utc(2019, 6, 15), "19", "yy-2019"),
    ("yyy", utc(1, 1, 1), "001", "yyy-0001"),
    ("yyy", utc(900, 1, 1), "900", "yyy-0900"),
    ("yyy", DOC, "2009", "yyy-2009"),
    ("yyyy", utc(1, 1, 1), "0001", "yyyy-0001"),
    ("yyyy", utc(900, 1, 1), "0900", "yyyy-0900"),
    ("yyyy", DOC, "2009", "yyyy-2009"),
    ("yyyyy", utc(1, 1, 1), "00001", "yyyyy-0001"),
    ("yyyyy", DOC, "02009", "yyyyy-2009"),
    # Month.
    ("%M", DOC, "6", "M"),
    ("MM", DOC, "06", "MM"),
    ("MM", utc(2009, 12, 1), "12", "MM-two-digit"),
    ("MMM", DOC, "Jun", "MMM"),
    ("MMMM", DOC, "June", "MMMM"),
    ("MMMMM", utc(2009, 9, 1), "September", "MMMMM-is-full-name"),
    # Day of month / day of week.
    ("%d", utc(2009, 6, 1, 13, 45, 30), "1", "d-single-digit"),
    ("%d", DOC, "15", "d"),
    ("dd", utc(2009, 6, 1, 13, 45, 30), "01", "dd-single-digit"),
    ("dd", DOC, "15", "dd"),
    ("ddd", DOC, "Mon", "ddd"),
    ("dddd", DOC, "Monday", "dddd"),
    ("ddddd", utc(2024, 1, 28), "Sunday", "ddddd-is-full-name"),
    ("d MMMM", utc(2008, 8, 29, 19, 27, 15), "29 August", "doc-d-MMMM"),
    ("d, M", utc(2008, 8, 29, 19, 27, 15), "29, 8", "doc-d-comma-M"),
    # Hours.
    ("%h", utc(2009, 6, 15, 1, 45, 30), "1", "h-am"),
    ("%h", DOC, "1", "h-pm"),
    ("%h", utc(2009, 6, 15, 0, 0), "12", "h-midnight"),
    ("%h", utc(2009, 6, 15, 12, 0), "12", "h-noon"),
    ("hh", utc(2009, 6, 15, 1, 45, 30), "01", "hh-am"),
    ("hh", DOC, "01", "hh-pm"),
    ("hh", utc(2009, 6, 15, 23, 0), "11", "hh-23"),
    ("%H", utc(2009, 6, 15, 1, 45, 30), "1", "H-am"),
    ("%H", DOC, "13", "H-pm"),
    ("HH", utc(2009, 6, 15, 1, 45, 30), "01", "HH-am"),
    ("HH", DOC, "13", "HH-pm"),
    ("HH", utc(2009, 6, 15, 0, 0), "00", "HH-midnight"),
    # Minutes and seconds.
    ("%m", utc(2009, 6, 15, 1, 9, 30), "9", "m"),
    ("%m", utc(2009, 6, 15, 13, 29, 30), "29", "m-two-digit"),
    ("mm", utc(2009, 6, 15, 1, 9, 30), "09", "mm"),
    ("mm", DOC, "45", "mm-two-digit"),
    ("%s", utc(2009, 6, 15, 13, 45, 9), "9", "s"),
    ("ss", utc(2009, 6, 15, 13, 45, 9), "09", "ss"),
    # .NET caps H, h, m and s runs at two digits instead of rejecting them.
    ("HHH:mmm:sss", utc(2009, 6, 15, 1, 2, 3), "01:02:03", "long-runs-capped-at-2"),
    ("hhhh", utc(2009, 6, 15, 13, 0), "01", "hhhh-capped-at-2"),
    # AM/PM designator.
    ("%t", DOC, "P", "t-pm"),
    ("%t", utc(2009, 6, 15, 1, 45, 30), "A", "t-am"),
    ("tt", DOC, "PM", "tt-pm"),
    ("tt", utc(2009, 6, 15, 11, 59, 59), "AM", "tt-am"),
    ("tt", utc(2009, 6, 15, 12, 0), "PM", "tt-noon"),
    ("ttt", DOC, "PM", "ttt-is-tt"),
    ("hh:mm:ss tt", utc(2008, 8, 29, 19, 27, 15), "07:27:15 PM", "doc-hh-mm-ss-tt"),
    ("h:mm:ss.ff t", utc(2008, 8, 29, 19, 27, 15, 180000), "7:27:15.18 P", "t-in-time"),
    # Era.
    ("%g", DOC, "A.D.", "g"),
    ("gg", DOC, "A.D.", "gg"),
    # Time zone: always UTC.
    ("%K", DOC, "Z", "K"),
    ("KK", DOC, "ZZ", "KK-each-K-separately"),
    ("%z", DOC, "+0", "z"),
    ("zz", DOC, "+00", "zz"),
    ("zzz", DOC, "+00:00", "zzz"),
    ("zzzz", DOC, "+00:00", "zzzz-is-zzz"),
    ("MM/dd/yy H:mm:ss zzz", utc(2011, 6, 10, 15, 24, 16), "06/10/11 15:24:16 +00:00", "doc-zzz"),
    # Separators are the invariant culture's.
    ("%:", DOC, ":", "time-separator"),
    ("%/", DOC, "/", "date-separator"),
    ("MM/dd/yyyy", DOC, "06/15/2009", "date-separators"),
]

# Fraction rows from the doc's table (2009-06-15T13:45:30.xxxxxxx), (fmt, micros, expected).
FRACTIONS = [
    ("%f", 617000, "6", "f"),
    ("%f", 50000, "0", "f-zero"),
    ("ff", 617000, "61", "ff"),
    ("ff", 5000, "00", "ff-zero"),
    ("fff", 617000, "617", "fff"),
    ("fff", 500, "000", "fff-zero"),
    ("ffff", 617500, "6175", "ffff"),
    ("ffff", 50, "0000", "ffff-zero"),
    ("fffff", 617540, "61754", "fffff"),
    ("fffff", 5, "00000", "fffff-zero"),
    ("ffffff", 617542, "617542", "ffffff"),
    ("ffffff", 0, "000000", "ffffff-zero"),
    ("fffffff", 617542, "6175420", "fffffff"),
    ("fffffff", 115, "0001150", "fffffff-small"),
    ("ff", 999999, "99", "ff-truncates-not-rounds"),
    ("%F", 617000, "6", "F"),
    ("%F", 50000, "", "F-no-output"),
    ("FF", 617000, "61", "FF"),
    ("FF", 5000, "", "FF-no-output"),
    ("FFF", 617000, "617", "FFF"),
    ("FFF", 500, "", "FFF-no-output"),
    ("FFFF", 527500, "5275", "FFFF"),
    ("FFFF", 50, "", "FFFF-no-output"),
    ("FFFFF", 617540, "61754", "FFFFF"),
    ("FFFFF", 5, "", "FFFFF-no-output"),
    ("FFFFFF", 617542, "617542", "FFFFFF"),
    ("FFFFFF", 0, "", "FFFFFF-no-output"),
    ("FFFFFFF", 617542, "617542", "FFFFFFF"),
    ("FFFFFFF", 115, "000115", "FFFFFFF-trailing-zero-trimmed"),
    ("FFF", 120000, "12", "FFF-trailing-zeros-trimmed"),
]

# Doc example: new DateTime(2008, 8, 29, 19, 27, 15, 018), formatted "hh:mm:ss.<spec>".
DOC_018 = [
    ("hh:mm:ss.f", "07:27:15.0"),
    ("hh:mm:ss.F", "07:27:15"),
    ("hh:mm:ss.ff", "07:27:15.01"),
    ("hh:mm:ss.FF", "07:27:15.01"),
    ("hh:mm:ss.fff", "07:27:15.018"),
    ("hh:mm:ss.FFF", "07:27:15.018"),
]

# The '.' before an F run with no digits is dropped (.NET checks the output so far).
PERIOD_RULE = [
    ("ss.FFF", 0, "30", "dropped"),
    ("ss.FFF", 100000, "30.1", "kept-with-digits"),
    ("ss'.'FFF", 0, "30", "dropped-when-quoted"),
    ("ss\\.FFF", 0, "30", "dropped-when-escaped"),
    ("ss,FFF", 0, "30,", "only-a-period"),
    ("ss. FFF", 0, "30. ", "only-directly-before"),
    ("ss..F%F", 0, "30", "two-runs-drop-two"),
    ("FFFssZ", 0, "30Z", "nothing-to-drop"),
    ("gF", 0, "A.D", "era-period"),
    ("yyyy-MM-ddTHH:mm:ss.FFFFFFFK", 0, "2009-06-15T13:45:30Z", "iso-whole-seconds"),
    ("yyyy-MM-ddTHH:mm:ss.FFFFFFFK", 250000, "2009-06-15T13:45:30.25Z", "iso-fraction"),
]

LITERALS = [
    ("yyyy-MM-ddTHH:mm:ss:fffffffK", KEY, "2024-01-31T23:59:59:0000000Z", "key-example"),
    ("yyyy-MM-ddTHH:mm:ssZ", KEY, "2024-01-31T23:59:59Z", "trailing-Z"),
    ("yyyy-MM-ddTHH:mm:ssK", KEY, "2024-01-31T23:59:59Z", "K"),
    ("yyyy-MM-ddTHH:mm:sszzz", KEY, "2024-01-31T23:59:59+00:00", "zzz"),
    ("yyyy-MM-dd", KEY, "2024-01-31", "date-only"),
    ("yyyyMMdd", KEY, "20240131", "compact"),
    ("'arr:' h:m t", DOC, "arr: 1:45 P", "doc-single-quotes"),
    ('"arr:" h:m t', DOC, "arr: 1:45 P", "doc-double-quotes"),
    ("arr hh:mm t", utc(2009, 6, 15, 1, 45, 30), "arr 01:45 A", "doc-other-chars"),
    ("h \\h", DOC, "1 h", "doc-escape"),
    ("%h", DOC, "1", "doc-percent"),
    ("yyyy'-'MM'-'dd'T'HH':'mm':'ss", KEY, "2024-01-31T23:59:59", "quoted-separators"),
    ("'yyyy' yyyy", KEY, "yyyy 2024", "quoted-specifiers"),
    ("''yyyy", KEY, "2024", "empty-quote"),
    ("'it''s'", KEY, "its", "adjacent-quotes"),
    ('"it\'s"', KEY, "it's", "single-inside-double"),
    ("'say \"hi\"'", KEY, 'say "hi"', "double-inside-single"),
    ("'a\\'b'", KEY, "a'b", "escaped-quote-inside-quotes"),
    ("'minute:' mm\\\"", utc(2024, 1, 1, 0, 45), 'minute: 45"', "doc-escaped-double-quote"),
    ("\\d\\a\\y d", KEY, "day 31", "escaped-letters"),
    ("\\\\yyyy", KEY, "\\2024", "escaped-backslash"),
    ("%d%d", utc(2024, 1, 5), "55", "percent-twice"),
    ("%dd", utc(2024, 1, 5), "55", "percent-then-letter"),
    ("%T", KEY, "T", "percent-literal"),
    ("Week of dddd, MMMM d", KEY, "Week o0 Wednesday, January 31", "bare-letters-but-f-counts"),
    ("xyz", KEY, "x24+0", "bare-x"),
    (" yyyy ", KEY, " 2024 ", "spaces"),
    ("ÀyyyyΩ", KEY, "À2024Ω", "unicode-literals"),
    ("ddd, dd MMM yyyy", DOC, "Mon, 15 Jun 2009", "names"),
]

STANDARD = [
    ("o", utc(2009, 6, 15, 13, 45, 30, 617542), "2009-06-15T13:45:30.6175420Z", "o"),
    ("O", KEY, "2024-01-31T23:59:59.0000000Z", "O"),
    ("s", DOC, "2009-06-15T13:45:30", "s"),
    ("u", DOC, "2009-06-15 13:45:30Z", "u"),
    ("r", DOC, "Mon, 15 Jun 2009 13:45:30 GMT", "r"),
    ("R", KEY, "Wed, 31 Jan 2024 23:59:59 GMT", "R"),
    ("epoch", KEY, "1706745599", "epoch"),
    ("epoch_ms", utc(2024, 1, 31, 23, 59, 59, 123999), "1706745599123", "epoch_ms"),
    ("epoch", utc(1970, 1, 1), "0", "epoch-zero"),
    ("epoch", utc(1969, 12, 31, 23, 59, 59, 500000), "-1", "epoch-before-1970-floors"),
    ("epoch_ms", utc(1970, 1, 1, 0, 0, 0, 999), "0", "epoch_ms-truncates"),
]

# (format, message, id)
ERRORS = [
    ("", "empty date format", "empty"),
    ("yyyy-MM-dd'T", "unterminated quoted literal in 'yyyy-MM-dd'T'", "unterminated-single"),
    ('yyyy"T', "unterminated quoted literal in 'yyyy\"T'", "unterminated-double"),
    ("'a\"", "unterminated quoted literal in ''a\"'", "mismatched-quotes"),
    ("yyyy\\", "'\\' at the end of 'yyyy\\' escapes nothing", "trailing-backslash"),
    ("'yyyy\\", "'\\' at the end of ''yyyy\\' escapes nothing", "trailing-backslash-in-quote"),
    ("yyyy%", "'%' at the end of 'yyyy%' applies to nothing", "trailing-percent"),
    ("%%y", "'%%' is not allowed in '%%y'", "double-percent"),
    ("%'y'", "'%'' is not allowed in '%'y''", "percent-quote"),
    ('%"y"', "'%\"' is not allowed in '%\"y\"'", "percent-double-quote"),
    ("%\\y", "'%\\' is not allowed in '%\\y'", "percent-backslash"),
    (
        "ss.ffffffff",
        "too many 'f' specifiers (8, at most 7) in 'ss.ffffffff'",
        "eight-f",
    ),
    (
        "ss.FFFFFFFF",
        "too many 'F' specifiers (8, at most 7) in 'ss.FFFFFFFF'",
        "eight-F",
    ),
    (
        "d",
        "'d' is the .NET standard 'short date' format, which depends on culture and is "
        "not supported; write a custom format (use '%d' for the single custom specifier)",
        "standard-d",
    ),
    (
        "T",
        "'T' is the .NET standard 'long time' format, which depends on culture and is "
        "not supported; write a custom format (use '%T' for the single custom specifier)",
        "standard-T",
    ),
    (
        "Z",
        "'Z' is not a .NET standard date format (one-character formats are standard "
        "formats; supported: o, O, r, R, s, u)",
        "single-Z",
    ),
    (
        "\n",
        "'\\n' is not a .NET standard date format (one-character formats are standard "
        "formats; supported: o, O, r, R, s, u)",
        "single-newline-one-line-message",
    ),
]

UNSUPPORTED_STANDARD = list("dDfFgGmMtTUyY")

PARSE = [
    ("2024-01-01", utc(2024, 1, 1), "date"),
    ("2024-01-01T00:00:00Z", utc(2024, 1, 1), "zulu"),
    ("2024-01-01t10:20:30z", utc(2024, 1, 1, 10, 20, 30), "lowercase-t-z"),
    ("2024-01-01T00:00:00+02:00", utc(2023, 12, 31, 22), "plus-offset"),
    ("2024-01-01T00:00:00-05:30", utc(2024, 1, 1, 5, 30), "minus-offset"),
    ("2024-01-01T00:00:00+0200", utc(2023, 12, 31, 22), "offset-no-colon"),
    ("2024-01-01T00:00:00+02", utc(2023, 12, 31, 22), "offset-hours"),
    ("2024-01-01T00:00:00+00:00", utc(2024, 1, 1), "zero-offset"),
    ("2024-01-01 00:00:00", utc(2024, 1, 1), "space-naive"),
    ("2024-01-01T12:34", utc(2024, 1, 1, 12, 34), "no-seconds"),
    ("2024-01-01T12:34:56.5Z", utc(2024, 1, 1, 12, 34, 56, 500000), "fraction-1"),
    ("2024-01-01T12:34:56.123Z", utc(2024, 1, 1, 12, 34, 56, 123000), "fraction-3"),
    ("2024-01-01T12:34:56.123456", utc(2024, 1, 1, 12, 34, 56, 123456), "fraction-6"),
    ("2024-01-01T12:34:56.1234567Z", utc(2024, 1, 1, 12, 34, 56, 123456), "fraction-7"),
    ("2024-01-01T12:34:56,25Z", utc(2024, 1, 1, 12, 34, 56, 250000), "comma-fraction"),
    ("  2024-01-01T00:00:00Z \n", utc(2024, 1, 1), "surrounding-space"),
    ("2024-02-29", utc(2024, 2, 29), "leap-day"),
]

PARSE_ERRORS = [
    ("", "invalid date-time ''", "empty"),
    ("garbage", "invalid date-time 'garbage'", "garbage"),
    ("2024/01/01", "invalid date-time '2024/01/01'", "slashes"),
    ("2024-1-1", "invalid date-time '2024-1-1'", "unpadded"),
    ("2024-01-01T", "invalid date-time '2024-01-01T'", "dangling-T"),
    ("2024-01-01T25:00:00Z", "hour must be in 0..23", "bad-hour"),
    ("2024-13-01", "month must be in 1..12", "bad-month"),
    ("2023-02-29", "day is out of range for month", "bad-day"),
    ("2024-01-01T00:00:00+24:00", "UTC offset out of range", "bad-offset"),
    ("2024-01-01T00:00:00Zjunk", "invalid date-time", "trailing-junk"),
    ("0001-01-01T00:00:00+01:00", "invalid date-time", "underflow"),
]

TO_ISO = [
    (utc(2024, 1, 31, 23, 59, 59), "2024-01-31T23:59:59Z", "whole-seconds"),
    (utc(2024, 1, 31, 23, 59, 59, 5), "2024-01-31T23:59:59.000005Z", "micros"),
    (utc(2024, 1, 31, 23, 59, 59, 500000), "2024-01-31T23:59:59.500000Z", "micros-padded"),
    (
        datetime(2024, 2, 1, 1, 0, tzinfo=timezone(timedelta(hours=2))),
        "2024-01-31T23:00:00Z",
        "converted-to-utc",
    ),
    (datetime(2024, 1, 31, 12, 0), "2024-01-31T12:00:00Z", "naive-is-utc"),
    (utc(5, 1, 1), "0005-01-01T00:00:00Z", "small-year-padded"),
]


def _ids(rows: Sequence[tuple[object, ...]]) -> list[str]:
    return [str(row[-1]) for row in rows]


@pytest.mark.parametrize(("fmt", "value", "expected", "case"), SPECIFIERS, ids=_ids(SPECIFIERS))
def test_specifiers(fmt: str, value: datetime, expected: str, case: str) -> None:
    assert format_datetime(value, fmt) == expected


@pytest.mark.parametrize(("fmt", "micros", "expected", "case"), FRACTIONS, ids=_ids(FRACTIONS))
def test_fractions(fmt: str, micros: int, expected: str, case: str) -> None:
    assert format_datetime(utc(2009, 6, 15, 13, 45, 30, micros), fmt) == expected


@pytest.mark.parametrize(("fmt", "expected"), DOC_018, ids=[row[0] for row in DOC_018])
def test_doc_fraction_example(fmt: str, expected: str) -> None:
    assert format_datetime(utc(2008, 8, 29, 19, 27, 15, 18000), fmt) == expected


@pytest.mark.parametrize(("fmt", "micros", "expected", "case"), PERIOD_RULE, ids=_ids(PERIOD_RULE))
def test_period_before_empty_capital_f_run(fmt: str, micros: int, expected: str, case: str) -> None:
    assert format_datetime(utc(2009, 6, 15, 13, 45, 30, micros), fmt) == expected


@pytest.mark.parametrize(("fmt", "value", "expected", "case"), LITERALS, ids=_ids(LITERALS))
def test_literals_quotes_escapes(fmt: str, value: datetime, expected: str, case: str) -> None:
    assert format_datetime(value, fmt) == expected


@pytest.mark.parametrize(("fmt", "value", "expected", "case"), STANDARD, ids=_ids(STANDARD))
def test_standard_and_epoch_formats(fmt: str, value: datetime, expected: str, case: str) -> None:
    assert format_datetime(value, fmt) == expected


@pytest.mark.parametrize(
    ("value", "fmt", "expected"),
    [
        (
            datetime(2024, 2, 1, 1, 59, 59, tzinfo=timezone(timedelta(hours=2))),
            "yyyy-MM-ddTHH:mm:ssK",
            "2024-01-31T23:59:59Z",
        ),
        (
            datetime(2009, 6, 15, 13, 45, 30, tzinfo=timezone(timedelta(hours=-7))),
            "yyyy-MM-ddTHH:mm:sszzz",
            "2009-06-15T20:45:30+00:00",
        ),
        (
            datetime(2024, 1, 1, 0, 30, tzinfo=timezone(timedelta(hours=5, minutes=30))),
            "dddd yyyy-MM-dd HH:mm z",
            "Sunday 2023-12-31 19:00 +0",
        ),
        (datetime(2024, 1, 31, 23, 59, 59), "yyyy-MM-ddTHH:mm:ssK", "2024-01-31T23:59:59Z"),
        (
            datetime(1970, 1, 1, 1, 0, tzinfo=timezone(timedelta(hours=1))),
            "epoch",
            "0",
        ),
    ],
    ids=["plus-2-to-utc", "minus-7-to-utc", "day-changes", "naive-is-utc", "epoch-offset"],
)
def test_non_utc_input_is_converted(value: datetime, fmt: str, expected: str) -> None:
    assert format_datetime(value, fmt) == expected


@pytest.mark.parametrize(("fmt", "message", "case"), ERRORS, ids=_ids(ERRORS))
def test_format_errors(fmt: str, message: str, case: str) -> None:
    with pytest.raises(DateFormatError) as excinfo:
        compile_format(fmt)
    assert str(excinfo.value) == message
    assert "\n" not in str(excinfo.value)


@pytest.mark.parametrize("fmt", UNSUPPORTED_STANDARD, ids=UNSUPPORTED_STANDARD)
def test_unsupported_standard_formats(fmt: str) -> None:
    with pytest.raises(DateFormatError, match=r"is the \.NET standard .* not supported"):
        compile_format(fmt)
    # The same letter works as a custom specifier with '%'.
    compile_format("%" + fmt)


def test_error_is_value_error_and_format_datetime_raises() -> None:
    assert issubclass(DateFormatError, ValueError)
    with pytest.raises(DateFormatError, match="unterminated"):
        format_datetime(KEY, "'abc")


def test_compiled_formatter_is_reusable() -> None:
    formatter = compile_format("yyyy-MM-ddTHH:mm:ssZ")
    assert formatter(KEY) == "2024-01-31T23:59:59Z"
    assert formatter(DOC) == "2009-06-15T13:45:30Z"


def test_every_month_and_day_name() -> None:
    months = [format_datetime(utc(2024, m, 1), "MMM MMMM") for m in range(1, 13)]
    assert months[0] == "Jan January"
    assert months[4] == "May May"
    assert months[8] == "Sep September"
    assert months[11] == "Dec December"
    days = [format_datetime(utc(2024, 1, d), "ddd dddd") for d in range(1, 8)]
    assert days == [
        "Mon Monday",
        "Tue Tuesday",
        "Wed Wednesday",
        "Thu Thursday",
        "Fri Friday",
        "Sat Saturday",
        "Sun Sunday",
    ]


@pytest.mark.parametrize(("text", "expected", "case"), PARSE, ids=_ids(PARSE))
def test_parse_datetime(text: str, expected: datetime, case: str) -> None:
    parsed = parse_datetime(text)
    assert parsed == expected
    assert parsed.tzinfo is UTC


@pytest.mark.parametrize(("text", "message", "case"), PARSE_ERRORS, ids=_ids(PARSE_ERRORS))
def test_parse_datetime_errors(text: str, message: str, case: str) -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_datetime(text)
    assert message in str(excinfo.value)
    assert "\n" not in str(excinfo.value)


def test_parse_datetime_rejects_non_string() -> None:
    with pytest.raises(ValueError, match="expected an ISO 8601 date-time string, got int"):
        parse_datetime(20240101)  # type: ignore[arg-type]


@pytest.mark.parametrize(("value", "expected", "case"), TO_ISO, ids=_ids(TO_ISO))
def test_to_iso(value: datetime, expected: str, case: str) -> None:
    assert to_iso(value) == expected


def test_to_iso_accepts_date() -> None:
    assert to_iso(date(2024, 1, 31)) == "2024-01-31T00:00:00Z"  # type: ignore[arg-type]


@pytest.mark.parametrize(
    "text",
    [
        "2024-01-31T23:59:59Z",
        "2024-01-31T23:59:59.000005Z",
        "0005-01-01T00:00:00Z",
    ],
)
def test_to_iso_round_trips(text: str) -> None:
    assert to_iso(parse_datetime(text)) == text

""".NET date and time format strings: `yyyy-MM-ddTHH:mm:ssZ` and the like, compiled once.

Source specs write date formats as .NET custom (or standard) date and time format
strings, e.g. ``yyyy-MM-ddTHH:mm:ssZ``. :func:`compile_format` turns such a string
into a formatter that mirrors .NET's ``DateTime.ToString(format,
CultureInfo.InvariantCulture)`` for a UTC ``DateTime``. Values are always converted
to UTC first, so ``K`` prints ``Z`` and ``z``/``zz``/``zzz`` print ``+0``/``+00``/
``+00:00``.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta, timezone
from functools import lru_cache

__all__ = ["DateFormatError", "as_utc", "compile_format", "format_datetime"]

UTC = timezone.utc
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)

# Invariant culture names and designators.
_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_ERA = "A.D."  # every Python datetime (years 1..9999) is in the Gregorian era A.D.

# One-character formats are .NET standard formats; these are culture-invariant.
_STANDARD = {
    "o": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
    "O": "yyyy'-'MM'-'dd'T'HH':'mm':'ss'.'fffffffK",
    "r": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "R": "ddd, dd MMM yyyy HH':'mm':'ss 'GMT'",
    "s": "yyyy'-'MM'-'dd'T'HH':'mm':'ss",
    "u": "yyyy'-'MM'-'dd HH':'mm':'ss'Z'",
}
# .NET standard formats whose patterns depend on a culture: not supported.
_UNSUPPORTED_STANDARD = {
    "d": "short date",
    "D": "long date",
    "f": "full date/short time",
    "F": "full date/long time",
    "g": "general date/short time",
    "G": "general date/long time",
    "m": "month/day",
    "M": "month/day",
    "t": "short time",
    "T": "long time",
    "U": "universal full date/time",
    "y": "year/month",
    "Y": "year/month",
}
_MAX_FRACTION_DIGITS = 7

# A compiled part returns its text, or None for an 'F' run with nothing to print,
# which (as in .NET) also removes a '.' that ends the output so far.
_Part = Callable[[datetime], str | None]


class DateFormatError(ValueError):
    """A .NET date format string that cannot be used."""


def _show(fmt: str) -> str:
    """Quote a format for a one-line error message."""
    text = fmt if fmt.isprintable() else repr(fmt)[1:-1]
    return f"'{text}'"


def _literal(text: str) -> _Part:
    return lambda _v: text


def _digits(get: Callable[[datetime], int], width: int) -> _Part:
    spec = f"0{width}d"
    return lambda v: format(get(v), spec)


def _hour12(v: datetime) -> int:
    return (v.hour % 12) or 12


def _fraction(count: int, trim: bool) -> _Part:
    """Return an ``f``/``F`` run: the first ``count`` digits of the 7-digit tick fraction."""
    divisor = 10 ** (_MAX_FRACTION_DIGITS - count)
    spec = f"0{count}d"

    def fixed(v: datetime) -> str:
        return format(v.microsecond * 10 // divisor, spec)

    def trimmed(v: datetime) -> str | None:
        return fixed(v).rstrip("0") or None

    return trimmed if trim else fixed


def _offset(count: int) -> _Part:
    """Return a ``z`` run; values are UTC so the offset is always zero."""
    return _literal("+0" if count == 1 else "+00" if count == 2 else "+00:00")


def _specifier(ch: str, count: int, fmt: str) -> _Part:
    """Build the part for a run of ``count`` copies of the specifier letter ``ch``."""
    if ch == "y":
        if count <= 2:
            return _digits(lambda v: v.year % 100, count)
        return _digits(lambda v: v.year, count)
    if ch == "M":
        if count <= 2:
            return _digits(lambda v: v.month, count)
        if count == 3:
            return lambda v: _MONTHS[v.month - 1][:3]
        return lambda v: _MONTHS[v.month - 1]
    if ch == "d":
        if count <= 2:
            return _digits(lambda v: v.day, count)
        if count == 3:
            return lambda v: _DAYS[v.weekday()][:3]
        return lambda v: _DAYS[v.weekday()]
    # .NET prints at most two digits for hours, minutes and seconds ("HHH" == "HH").
    if ch == "H":
        return _digits(lambda v: v.hour, min(count, 2))
    if ch == "h":
        return _digits(_hour12, min(count, 2))
    if ch == "m":
        return _digits(lambda v: v.minute, min(count, 2))
    if ch == "s":
        return _digits(lambda v: v.second, min(count, 2))
    if ch in "fF":
        if count > _MAX_FRACTION_DIGITS:
            raise DateFormatError(
                f"too many '{ch}' specifiers ({count}, at most {_MAX_FRACTION_DIGITS}) in {_show(fmt)}"
            )
        return _fraction(count, trim=ch == "F")
    if ch == "t":
        if count == 1:
            return lambda v: "A" if v.hour < 12 else "P"
        return lambda v: "AM" if v.hour < 12 else "PM"
    if ch == "z":
        return _offset(count)
    if ch == "g":
        return _literal(_ERA)
    raise AssertionError(ch)  # pragma: no cover - callers only pass specifier letters


_RUN_SPECIFIERS = frozenset("yMdHhmsfFtzg")


def _parse_custom(pattern: str, fmt: str, parts: list[_Part | str]) -> None:
    """Append the parts of the custom format ``pattern`` (``fmt`` is for messages)."""
    i, n = 0, len(pattern)
    while i < n:
        ch = pattern[i]
        if ch in _RUN_SPECIFIERS:
            j = i + 1
            while j < n and pattern[j] == ch:
                j += 1
            parts.append(_specifier(ch, j - i, fmt))
            i = j
        elif ch == "K":
            parts.append("Z")  # a UTC DateTime round-trips as 'Z'
            i += 1
        elif ch in "'\"":
            i = _parse_quoted(pattern, i, fmt, parts)
        elif ch == "%":
            if i + 1 >= n:
                raise DateFormatError(f"'%' at the end of {_show(fmt)} applies to nothing")
            if pattern[i + 1] in "%'\"\\":  # .NET: "%%" is rejected; the others cannot stand alone
                raise DateFormatError(f"'%{pattern[i + 1]}' is not allowed in {_show(fmt)}")
            _parse_custom(pattern[i + 1], fmt, parts)
            i += 2
        elif ch == "\\":
            if i + 1 >= n:
                raise DateFormatError(f"'\\' at the end of {_show(fmt)} escapes nothing")
            parts.append(pattern[i + 1])
            i += 2
        else:  # ':' and '/' are the invariant separators, i.e. themselves
            parts.append(ch)
            i += 1


def _parse_quoted(pattern: str, start: int, fmt: str, parts: list[_Part | str]) -> int:
    """Append a quoted literal starting at ``start``; return the index after it."""
    quote = pattern[start]
    chars: list[str] = []
    i, n = start + 1, len(pattern)
    while i < n:
        ch = pattern[i]
        i += 1
        if ch == quote:
            parts.append("".join(chars))
            return i
        if ch == "\\":  # a backslash escapes the next character, even inside quotes
            if i >= n:
                raise DateFormatError(f"'\\' at the end of {_show(fmt)} escapes nothing")
            ch = pattern[i]
            i += 1
        chars.append(ch)
    raise DateFormatError(f"unterminated quoted literal in {_show(fmt)}")


def _merge(items: list[_Part | str]) -> list[_Part]:
    """Join adjacent literal strings into single parts and drop empty ones."""
    merged: list[_Part] = []
    pending: list[str] = []
    for item in items:
        if isinstance(item, str):
            pending.append(item)
            continue
        if text := "".join(pending):
            merged.append(_literal(text))
        pending = []
        merged.append(item)
    if text := "".join(pending):
        merged.append(_literal(text))
    return merged


def as_utc(value: datetime) -> datetime:
    """Convert to UTC; a naive datetime is taken to be UTC already."""
    if value.tzinfo is None or value.utcoffset() is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def _epoch_seconds(value: datetime) -> str:
    return str((as_utc(value) - _EPOCH) // timedelta(seconds=1))


def _epoch_millis(value: datetime) -> str:
    return str((as_utc(value) - _EPOCH) // timedelta(milliseconds=1))


def compile_format(fmt: str) -> Callable[[datetime], str]:
    """Compile a .NET custom (or standard) date and time format string once.

    The returned callable formats a datetime (converted to UTC; naive is taken as UTC)
    the way .NET formats a UTC ``DateTime`` with the invariant culture. Besides .NET
    formats, ``epoch`` (Unix seconds) and ``epoch_ms`` (Unix milliseconds) are accepted.
    Raises :class:`DateFormatError` for formats .NET would reject or we do not support.
    """
    if not isinstance(fmt, str):
        raise DateFormatError(f"date format must be a string, not {type(fmt).__name__}")
    if fmt == "epoch":
        return _epoch_seconds
    if fmt == "epoch_ms":
        return _epoch_millis
    if not fmt:
        raise DateFormatError("empty date format")
    pattern = fmt
    if len(fmt) == 1:
        if fmt in _UNSUPPORTED_STANDARD:
            raise DateFormatError(
                f"{_show(fmt)} is the .NET standard '{_UNSUPPORTED_STANDARD[fmt]}' format, "
                f"which depends on culture and is not supported; write a custom format "
                f"(use '%{fmt}' for the single custom specifier)"
            )
        if fmt not in _STANDARD:
            raise DateFormatError(
                f"{_show(fmt)} is not a .NET standard date format (one-character formats "
                "are standard formats; supported: o, O, r, R, s, u)"
            )
        pattern = _STANDARD[fmt]

    items: list[_Part | str] = []
    _parse_custom(pattern, fmt, items)
    parts = _merge(items)

    def render(value: datetime) -> str:
        v = as_utc(value)
        out: list[str] = []
        for part in parts:
            text = part(v)
            if text is None:  # empty 'F' run: drop a preceding '.', as .NET does
                if out and out[-1].endswith("."):
                    out[-1] = out[-1][:-1]
                    if not out[-1]:
                        out.pop()
            elif text:
                out.append(text)
        return "".join(out)

    return render


_compile_cached = lru_cache(maxsize=256)(compile_format)


def format_datetime(value: datetime, fmt: str) -> str:
    """Format ``value`` with the .NET date format ``fmt`` (compiled formats are cached)."""
    return _compile_cached(fmt)(value)

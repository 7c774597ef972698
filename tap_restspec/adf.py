"""Azure Data Factory expressions (`@{...}`) inside sourceSpec strings.

A small tokenizer and a recursive-descent parser turn the text inside `@{...}` into
a tree of frozen dataclasses; evaluation walks that tree with a fixed table of
functions. Nothing is ever handed to `eval` or `exec`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from typing import Any

from tap_restspec.dates import format_datetime, parse_datetime

DEFAULT_DATE_FORMAT = "o"  # ADF's default: round-trip, yyyy-MM-ddTHH:mm:ss.fffffffK
_MAX_DEPTH = 64


class ExpressionError(ValueError):
    """A syntax error or unknown function in an ADF expression.

    The message is one line and quotes the expression.
    """


class _EvalError(Exception):
    """An evaluation problem, before the expression is added to the message."""


# --- syntax tree -------------------------------------------------------------------


@dataclass(frozen=True)
class Literal:
    """A string, number, boolean or null written in the expression."""

    value: Any


@dataclass(frozen=True)
class Access:
    """`target.key`, `target?.key`, `target[key]` or `target?[key]`; null-safe in every form."""

    target: Node
    key: Node


@dataclass(frozen=True)
class Call:
    """A function call; `name` is the lower-cased key into the function table."""

    name: str
    args: tuple[Node, ...]


Node = Literal | Access | Call


# --- tokens and parser -------------------------------------------------------------

_TOKEN = re.compile(
    r"(?P<string>'(?:[^']|'')*')"
    r"|(?P<number>-?[0-9]+(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_]*)"
    r"|(?P<punct>\?\.|\?\[|[().,\[\]])"
)
_KEYWORDS: dict[str, Any] = {"true": True, "false": False, "null": None}


@dataclass(frozen=True)
class _Token:
    kind: str  # 'string', 'number', 'name', 'end', or the punctuation itself
    text: str
    pos: int


def _quote(text: str) -> str:
    """Put text in double quotes, escaped so that it stays on one line."""
    return json.dumps(text, ensure_ascii=False)


def _error(problem: str, source: str, pos: int | None = None) -> ExpressionError:
    where = "" if pos is None else f" at position {pos}"
    return ExpressionError(f"{problem}{where} in expression {_quote(source)}")


def _tokenize(source: str) -> list[_Token]:
    tokens: list[_Token] = []
    pos = 0
    while True:
        while pos < len(source) and source[pos].isspace():
            pos += 1
        if pos == len(source):
            tokens.append(_Token("end", "", pos))
            return tokens
        match = _TOKEN.match(source, pos)
        if match is None:
            if source[pos] == "'":
                raise _error("unterminated string", source, pos)
            raise _error(f"unexpected character {source[pos]!r}", source, pos)
        kind = match.lastgroup or ""
        tokens.append(_Token(match[0] if kind == "punct" else kind, match[0], pos))
        pos = match.end()


class _Parser:
    """Recursive descent over the token list of one expression."""

    def __init__(self, source: str) -> None:
        self.source = source
        self.tokens = _tokenize(source)
        self.index = 0

    def parse(self) -> Node:
        node = self.expression(0)
        if self.peek.kind != "end":
            raise self.unexpected("the end of the expression")
        return node

    @property
    def peek(self) -> _Token:
        return self.tokens[self.index]

    def advance(self) -> _Token:
        token = self.tokens[self.index]
        if token.kind != "end":
            self.index += 1
        return token

    def unexpected(self, wanted: str) -> ExpressionError:
        token = self.peek
        found = "the end of the expression" if token.kind == "end" else repr(token.text)
        return _error(f"expected {wanted}, found {found}", self.source, token.pos)

    def expect(self, kind: str, wanted: str) -> _Token:
        if self.peek.kind != kind:
            raise self.unexpected(wanted)
        return self.advance()

    def expression(self, depth: int) -> Node:
        if depth > _MAX_DEPTH:
            raise _error("expression nested too deeply", self.source, self.peek.pos)
        node = self.primary(depth)
        while True:
            if self.peek.kind in (".", "?."):
                self.advance()
                node = Access(node, Literal(self.expect("name", "a member name").text))
            elif self.peek.kind in ("[", "?["):
                self.advance()
                node = Access(node, self.expression(depth + 1))
                self.expect("]", "']'")
            else:
                return node

    def primary(self, depth: int) -> Node:
        token = self.peek
        if token.kind == "string":
            self.advance()
            return Literal(token.text[1:-1].replace("''", "'"))
        if token.kind == "number":
            self.advance()
            is_float = any(c in token.text for c in ".eE")
            return Literal(float(token.text) if is_float else int(token.text))
        if token.kind != "name":
            raise self.unexpected("an expression")
        self.advance()
        if self.peek.kind != "(":
            if token.text.lower() in _KEYWORDS:
                return Literal(_KEYWORDS[token.text.lower()])
            raise self.unexpected(f"'(' after {token.text!r}")
        function = FUNCTIONS.get(token.text.lower())
        if function is None:
            raise _error(f"unknown function {token.text!r}", self.source)
        self.advance()
        args: list[Node] = []
        if self.peek.kind != ")":
            args.append(self.expression(depth + 1))
            while self.peek.kind == ",":
                self.advance()
                args.append(self.expression(depth + 1))
        self.expect(")", "',' or ')'")
        if not function.accepts(len(args)):
            raise _error(
                f"wrong number of arguments for {function.name}(): "
                f"expected {function.arity}, got {len(args)}",
                self.source,
                token.pos,
            )
        return Call(token.text.lower(), tuple(args))


# --- evaluation --------------------------------------------------------------------


@dataclass(frozen=True)
class _Context:
    parameters: Mapping[str, Any]
    now: datetime


@dataclass(frozen=True)
class Function:
    """One entry of the function table; `impl(context, *args)`, or None for `if`."""

    name: str
    min_args: int
    max_args: int | None
    impl: Callable[..., Any] | None

    def accepts(self, count: int) -> bool:
        """Tell whether the function takes `count` arguments."""
        return self.min_args <= count and (self.max_args is None or count <= self.max_args)

    @property
    def arity(self) -> str:
        """The number of arguments, in words."""
        if self.max_args is None:
            return f"at least {self.min_args}"
        if self.max_args == self.min_args:
            return str(self.min_args)
        joiner = " or " if self.max_args == self.min_args + 1 else " to "
        return f"{self.min_args}{joiner}{self.max_args}"


def _evaluate(node: Node, context: _Context) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Access):
        return _access(_evaluate(node.target, context), _evaluate(node.key, context))
    function = FUNCTIONS[node.name]
    if function.impl is None:  # if(): only the chosen branch is evaluated
        condition = _boolean("if", _evaluate(node.args[0], context))
        return _evaluate(node.args[1] if condition else node.args[2], context)
    return function.impl(context, *(_evaluate(arg, context) for arg in node.args))


def _access(target: Any, key: Any) -> Any:
    """Get a member or element of `target`; null when either is missing (lenient)."""
    if isinstance(target, Mapping) and isinstance(key, str):
        if key in target:
            return target[key]
        folded = key.casefold()
        return next((v for k, v in target.items() if str(k).casefold() == folded), None)
    if isinstance(target, list | tuple) and isinstance(key, int) and not isinstance(key, bool):
        return target[key] if 0 <= key < len(target) else None
    return None


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int | float):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list | tuple):
        return "an array"
    return "an object"


def _boolean(name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        raise _EvalError(f"{name}() expects a boolean, got {_kind(value)}")
    return value


def _text(name: str, value: Any) -> str:
    """Check a string argument; null counts as ''."""
    if value is None:
        return ""
    if not isinstance(value, str):
        raise _EvalError(f"{name}() expects a string, got {_kind(value)}")
    return value


def _number(name: str, value: Any) -> int | float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _EvalError(f"{name}() expects a number, got {_kind(value)}")
    return value


def _timestamp(name: str, value: Any) -> datetime:
    if isinstance(value, datetime):
        return _utc(value)
    if not isinstance(value, str) or not value:
        got = "an empty string" if value == "" else _kind(value)
        raise _EvalError(f"{name}() expects a timestamp, got {got}")
    try:
        return parse_datetime(value)
    except ValueError as exc:
        raise _EvalError(f"{name}(): {exc}") from exc


def _format(name: str, value: datetime, fmt: Any) -> str:
    fmt = DEFAULT_DATE_FORMAT if fmt is None else fmt
    if not isinstance(fmt, str):
        raise _EvalError(f"{name}() expects a format string, got {_kind(fmt)}")
    try:
        return format_datetime(value, fmt)
    except ValueError as exc:
        raise _EvalError(f"{name}(): {exc}") from exc


def _utc(value: datetime) -> datetime:
    if value.tzinfo is None:
        return value.replace(tzinfo=timezone.utc)
    return value.astimezone(timezone.utc)


def render_value(value: Any) -> str:
    """Write a value as ADF puts it into a string: null is '', booleans 'True'/'False'."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


def _equals(_: _Context, a: Any, b: Any) -> bool:
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a is b
    return bool(a == b)


def _empty(_: _Context, value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, str | list | tuple | Mapping):
        return len(value) == 0
    return False


def _compare(name: str, test: Callable[[Any, Any], bool]) -> Callable[..., bool]:
    def compare(_: _Context, a: Any, b: Any) -> bool:
        numbers = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (a, b))
        if not numbers and not (isinstance(a, str) and isinstance(b, str)):
            kinds = f"{_kind(a)} and {_kind(b)}"
            raise _EvalError(f"{name}() compares two numbers or two strings, got {kinds}")
        return test(a, b)

    return compare


def _logic(name: str, combine: Callable[[list[bool]], bool]) -> Callable[..., bool]:
    return lambda _, *values: combine([_boolean(name, v) for v in values])


def _int(_: _Context, value: Any) -> int:
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str) and re.fullmatch(r"\s*[+-]?[0-9]+\s*", value):
        return int(value)
    shown = repr(value) if isinstance(value, str | float) else _kind(value)
    raise _EvalError(f"int() cannot convert {shown} to an integer")


def _replace(_: _Context, text: Any, old: Any, new: Any) -> str:
    old = _text("replace", old)
    if not old:
        raise _EvalError("replace() needs a non-empty string to replace")
    return _text("replace", text).replace(old, _text("replace", new))


def _format_date_time(_: _Context, value: Any, fmt: Any = None) -> str:
    return _format("formatDateTime", _timestamp("formatDateTime", value), fmt)


def _utc_now(context: _Context, fmt: Any = None) -> str:
    return _format("utcNow", context.now, fmt)


def _adder(name: str, unit: str) -> Callable[..., str]:
    def add(_: _Context, value: Any, amount: Any, fmt: Any = None) -> str:
        start = _timestamp(name, value)
        try:
            result = start + timedelta(**{unit: _number(name, amount)})
        except OverflowError as exc:
            raise _EvalError(f"{name}(): the result is out of range") from exc
        return _format(name, result, fmt)

    return add


def _functions(*entries: Function) -> dict[str, Function]:
    return {entry.name.lower(): entry for entry in entries}


FUNCTIONS: dict[str, Function] = _functions(
    Function("pipeline", 0, 0, lambda context: {"parameters": dict(context.parameters)}),
    Function("if", 3, 3, None),
    Function("empty", 1, 1, _empty),
    Function("coalesce", 1, None, lambda _, *vs: next((v for v in vs if v is not None), None)),
    Function("concat", 1, None, lambda _, *vs: "".join(render_value(v) for v in vs)),
    Function("equals", 2, 2, _equals),
    Function("not", 1, 1, lambda _, v: not _boolean("not", v)),
    Function("and", 2, None, _logic("and", all)),
    Function("or", 2, None, _logic("or", any)),
    Function("greater", 2, 2, _compare("greater", lambda a, b: a > b)),
    Function("less", 2, 2, _compare("less", lambda a, b: a < b)),
    Function("greaterOrEquals", 2, 2, _compare("greaterOrEquals", lambda a, b: a >= b)),
    Function("lessOrEquals", 2, 2, _compare("lessOrEquals", lambda a, b: a <= b)),
    Function("string", 1, 1, lambda _, v: render_value(v)),
    Function("int", 1, 1, _int),
    Function("toLower", 1, 1, lambda _, v: _text("toLower", v).lower()),
    Function("toUpper", 1, 1, lambda _, v: _text("toUpper", v).upper()),
    Function("replace", 3, 3, _replace),
    Function("formatDateTime", 1, 2, _format_date_time),
    Function("utcNow", 0, 1, _utc_now),
    Function("addDays", 2, 3, _adder("addDays", "days")),
    Function("addHours", 2, 3, _adder("addHours", "hours")),
    Function("addMinutes", 2, 3, _adder("addMinutes", "minutes")),
    Function("addSeconds", 2, 3, _adder("addSeconds", "seconds")),
)


# --- public interface --------------------------------------------------------------


@dataclass(frozen=True)
class Expression:
    """One ADF expression: the text inside `@{...}`, parsed when constructed."""

    source: str
    tree: Node = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "tree", _Parser(self.source).parse())

    def evaluate(self, parameters: Mapping[str, Any], now: datetime) -> Any:
        """Compute the value; `pipeline().parameters` is `parameters`, `utcNow()` is `now`."""
        try:
            return _evaluate(self.tree, _Context(parameters, _utc(now)))
        except (_EvalError, ValueError, OverflowError) as exc:
            problem = " ".join(str(exc).split())
            raise ExpressionError(f"{problem} in expression {_quote(self.source)}") from exc


def parse(source: str) -> Expression:
    """Parse the inside of one `@{...}`; raises ExpressionError."""
    return Expression(source)


def has_expressions(text: str) -> bool:
    """Tell whether `text` may hold an `@{...}` expression (cheap)."""
    return "@{" in text


def scan(text: str) -> list[tuple[int, int, Expression]]:
    """Find every `@{...}` in text: (index of '@', index after '}', parsed expression).

    Braces inside quoted string literals do not count; '@@' is not special.
    Raises ExpressionError for an unterminated `@{` or a bad expression.
    """
    found: list[tuple[int, int, Expression]] = []
    pos = 0
    while (start := text.find("@{", pos)) >= 0:
        index, quote_at = start + 2, -1
        while index < len(text):
            char = text[index]
            if quote_at >= 0:
                if char == "'":  # closes the string; a doubled '' reopens it at once
                    quote_at = -1
            elif char == "'":
                quote_at = index
            elif char == "}":
                break
            index += 1
        else:
            if quote_at >= 0:
                raise _error("unterminated string", text[start + 2 :], quote_at - start - 2)
            raise ExpressionError(f"unterminated @{{ (no closing }}) in {_quote(text[start:])}")
        found.append((start, index + 1, parse(text[start + 2 : index])))
        pos = index + 1
    return found


def render(text: str, parameters: Mapping[str, Any], now: datetime) -> str:
    """Replace every `@{...}` in text by its value as a string (see `render_value`)."""
    out: list[str] = []
    pos = 0
    for start, end, expression in scan(text):
        out.append(text[pos:start])
        out.append(render_value(expression.evaluate(parameters, now)))
        pos = end
    out.append(text[pos:])
    return "".join(out)

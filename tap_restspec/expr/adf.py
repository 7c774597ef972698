"""Azure Data Factory expressions (`@{...}`) inside sourceSpec strings.

A small tokenizer and a recursive-descent parser turn the text inside `@{...}` into
a tree of frozen dataclasses; evaluation walks that tree with a fixed table of
functions. Nothing is ever handed to `eval` or `exec`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from tap_restspec.expr.adf_functions import (
    FUNCTIONS,
    PRECOUNTED,
    Context,
    EvalError,
    access,
    as_boolean,
    as_utc,
    render_value,
)

__all__ = ["Expression", "ExpressionError", "has_expressions", "parse", "render", "render_value", "scan"]
_MAX_DEPTH = 64
_QUOTED = 300  # characters of an expression quoted in an error


class ExpressionError(ValueError):
    """A syntax error or unknown function in an ADF expression.

    The message is one line and quotes the expression.
    """


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
    """Put text in double quotes, escaped so that it stays on one line (a long one shortened)."""
    return json.dumps(text if len(text) <= _QUOTED else text[: _QUOTED - 3] + "...", ensure_ascii=False)


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


def _evaluate(node: Node, context: Context) -> Any:
    if isinstance(node, Literal):
        return node.value
    if isinstance(node, Access):
        return access(_evaluate(node.target, context), _evaluate(node.key, context))
    function = FUNCTIONS[node.name]
    if function.impl is None:  # if(): only the chosen branch is evaluated
        condition = as_boolean("if", _evaluate(node.args[0], context))
        return _evaluate(node.args[1] if condition else node.args[2], context)
    value = function.impl(context, *(_evaluate(arg, context) for arg in node.args))
    if isinstance(value, str) and node.name not in PRECOUNTED:  # made, and not counted before
        context.budget.spend(function.name, len(value))
    return value


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
            return _evaluate(self.tree, Context(parameters, as_utc(now)))
        except (EvalError, ValueError, OverflowError, MemoryError, RecursionError) as exc:
            problem = " ".join(str(exc).split()) or type(exc).__name__
            raise ExpressionError(f"{problem} in expression {_quote(self.source)}") from exc

    def render(self, parameters: Mapping[str, Any], now: datetime) -> str:
        """The value as a string (see `render_value`)."""
        value = self.evaluate(parameters, now)
        try:
            return render_value(value)
        except EvalError as exc:
            raise ExpressionError(f"{exc} in expression {_quote(self.source)}") from None


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
        out.append(expression.render(parameters, now))
        pos = end
    out.append(text[pos:])
    return "".join(out)

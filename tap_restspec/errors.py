"""Errors a user sees as plain lines (bad specs, bad settings, API faults), and a run stopped by a signal."""

from __future__ import annotations

from typing import Any

MESSAGE_CHARS = 300


def one_line(text: str) -> str:
    r"""`text` with line breaks and other unprintable characters escaped (`\r`, `\n`, `\ufeff`)."""
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else repr(ch)[1:-1] for ch in text)


class UserError(Exception):
    """A problem the user can fix; shown as one line per problem, without a traceback."""

    def __init__(self, lines: list[str] | str) -> None:
        self.lines = [lines] if isinstance(lines, str) else list(lines)
        super().__init__("\n".join(self.lines))


class SpecError(UserError):
    """One or more problems in spec files, found at start-up."""


class SettingsError(UserError):
    """One or more problems in the tap's settings, found at start-up."""


class StreamError(UserError):
    """A stream that cannot go on: a fatal API answer, a bad body, a pagination loop."""


class Interrupted(Exception):  # noqa: N818 (a signal, not an error)
    """The run stopped on SIGTERM or SIGINT; the exit code is 128 + the signal's number."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def api_message(response: Any) -> str:
    """An HTTP answer in one line: the API's own message, whitespace folded, trimmed."""
    return " ".join(response.text.split())[:MESSAGE_CHARS] if response.content else ""


def http_status(response: Any, where: str = "") -> str:
    """`HTTP 404 Not Found<where>: <the API's message>`."""
    reason = f" {response.reason}" if response.reason else ""
    text = api_message(response)
    return f"HTTP {response.status_code}{reason}{where}" + (f": {text}" if text else "")

"""Errors a user sees as plain lines: bad specs, bad settings, API faults."""

from __future__ import annotations


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

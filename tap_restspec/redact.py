"""Keep secrets out of every log line, error and state: one redactor for the whole process."""

from __future__ import annotations

import base64
import logging
import re
import threading
from typing import Any

MASK = "***"
SECRET_QUERY = re.compile(
    r"(?i)([?&;](?:api[_-]?key|apikey|key|token|access[_-]?token|refresh[_-]?token|id[_-]?token|"
    r"client[_-]?secret|secret|password|passwd|pwd|sig|signature|auth|authorization|code)=)"
    r"[^&#\s'\"]*"
)
SECRET_HEADER = re.compile(
    r"(?i)((?:authorization|proxy-authorization|cookie|set-cookie|x-api-key|api-key|x-auth-token)"
    r"['\"]?\s*[:=]\s*)(?:(['\"])[^'\"]*\2|(?:bearer|basic|token|digest)\s+[^\s,'\"}]+)"
)
URL_USERINFO = re.compile(r"(?i)(\b[a-z][a-z0-9+.-]*://)[^/@\s:]+:[^/@\s]+@")


class Redactor:
    """Replaces known secret values and secret-looking parts of text by `***`."""

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None

    def add(self, *values: Any) -> None:
        """Register secret values (short or empty ones are ignored: they would mask too much)."""
        with self._lock:
            for value in values:
                if isinstance(value, str) and len(value) >= 4 and value not in self._secrets:
                    self._secrets.add(value)
                    self._pattern = None

    def add_basic(self, username: str, password: str) -> None:
        """Register a Basic credential, in both plain and base64 forms."""
        token = base64.b64encode(f"{username}:{password}".encode()).decode()
        self.add(password, token)

    def clear(self) -> None:
        """Forget registered secrets (tests)."""
        with self._lock:
            self._secrets.clear()
            self._pattern = None

    def redact(self, text: str) -> str:
        """`text` with secrets masked."""
        pattern = self._pattern
        if pattern is None and self._secrets:
            with self._lock:
                ordered = sorted(self._secrets, key=len, reverse=True)
                pattern = self._pattern = re.compile("|".join(map(re.escape, ordered)))
        if pattern is not None:
            text = pattern.sub(MASK, text)
        text = SECRET_QUERY.sub(rf"\1{MASK}", text)
        text = SECRET_HEADER.sub(rf"\1{MASK}", text)
        return URL_USERINFO.sub(rf"\1{MASK}@", text)


REDACTOR = Redactor()
_installed = False


def install() -> None:
    """Redact every log record of every logger, whatever handler formats it."""
    global _installed
    if _installed:
        return
    _installed = True
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        try:
            message = record.getMessage()
        except Exception:
            return record
        record.msg, record.args = REDACTOR.redact(message), None
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = REDACTOR.redact(logging.Formatter().formatException(record.exc_info))
        return record

    logging.setLogRecordFactory(factory)

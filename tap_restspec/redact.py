"""Keep secrets out of every log line, error and state: one redactor for the whole process."""

from __future__ import annotations

import base64
import contextlib
import json
import logging
import re
import threading
from typing import Any
from urllib.parse import quote, quote_plus

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
    """Replaces known secret values, in every encoding they travel in, and secret-looking parts
    of text by `***`.
    """

    def __init__(self) -> None:
        self._secrets: set[str] = set()
        self._lock = threading.Lock()
        self._pattern: re.Pattern[str] | None = None

    def add(self, *values: Any) -> None:
        """Register secret values (short or empty ones are ignored: they would mask too much).

        Each is masked as written and as it appears in a URL (percent-encoded as `quote` and
        `quote_plus` write it, in either case of hex digits), in base64, and escaped in JSON
        or a Python repr.
        """
        with self._lock:
            for value in values:
                if isinstance(value, str) and len(value) >= 4 and value not in self._secrets:
                    self._secrets.add(value)
                    self._pattern = None

    def add_basic(self, username: str, password: str) -> None:
        """Register a Basic credential, in both plain and base64 forms (of its UTF-8 and, as
        requests sends it, Latin-1 bytes).
        """
        pair = f"{username}:{password}"
        tokens = {base64.b64encode(pair.encode()).decode()}
        with contextlib.suppress(UnicodeEncodeError):
            tokens.add(base64.b64encode(pair.encode("latin-1")).decode())
        self.add(password, *tokens)

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
                pattern = self._pattern = _compile(self._secrets)
        if pattern is not None:
            text = pattern.sub(MASK, text)
        text = SECRET_QUERY.sub(rf"\1{MASK}", text)
        text = SECRET_HEADER.sub(rf"\1{MASK}", text)
        return URL_USERINFO.sub(rf"\1{MASK}@", text)


def encodings(secret: str) -> set[str]:
    """`secret` as it may appear in text: plain, percent-encoded, base64, JSON- and repr-escaped."""
    raw = secret.encode("utf-8", "surrogatepass")
    forms = {
        secret,
        quote(secret, safe=""),
        quote(secret),  # `/` kept, as in a path
        quote(secret, safe="/:@!$&'()*+,;="),  # as requests re-quotes a URL
        quote_plus(secret),
        quote_plus(secret, safe="/"),
        json.dumps(secret)[1:-1],
        json.dumps(secret, ensure_ascii=False)[1:-1],
        repr(secret)[1:-1],
    }
    for encode in (base64.b64encode, base64.urlsafe_b64encode):
        text = encode(raw).decode()
        forms |= {text, text.rstrip("=")}
    return {form for form in forms if len(form) >= 4}


def _compile(secrets: set[str]) -> re.Pattern[str]:
    """One pattern for every form of every secret, longest first; `%XX` in either case."""
    forms = {form for secret in secrets for form in encodings(secret)}
    ordered = sorted(forms, key=len, reverse=True)
    return re.compile("|".join(_PERCENT.sub(_either_case, re.escape(form)) for form in ordered))


_PERCENT = re.compile(r"%([0-9A-F]{2})")


def _either_case(match: re.Match[str]) -> str:
    return f"%(?i:{match.group(1)})"


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

"""The spec a draft writes, in this project's format, and the check that the tap reads it as written.

A document is `{"description", "sourceSpec": {"attributes": ...}, "singer": ...}`. Its custom
schema describes the whole response (the records' array inside it), which the tap never mistakes
for a record schema whose records hold an array of the same name.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from tap_restspec.draft.records import path_of
from tap_restspec.draft.target import Target
from tap_restspec.errors import SpecError, UserError
from tap_restspec.model.fields import Problems
from tap_restspec.model.spec import StreamSpec
from tap_restspec.parse.document import parse_document
from tap_restspec.redact import encodings


def spec_document(
    target: Target,
    records: tuple[str, ...],
    paging: dict[str, Any] | None,
    drop: Iterable[str] = (),
    *,
    singer: dict[str, Any] | None = None,
    schema: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The spec for `target`'s records at `records`, paged as `paging` says (None: one page)."""
    dropped = set(drop)
    url: dict[str, Any] = {"host": target.host, "path": target.path, "method": "GET"}
    query = {k: v for k, v in target.query.items() if k not in dropped}
    if query:
        url["queryParams"] = query
    attributes: dict[str, Any] = {"urlParams": url}
    if target.headers:
        attributes["headerParams"] = dict(target.headers)
    attributes["contentPath"] = {"path": path_of(records)}
    if paging is not None:
        attributes["paginationParams"] = paging
    if schema is not None:
        attributes["schema"] = whole_response(records, schema)
    document: dict[str, Any] = {
        "description": f"Drafted by tap-restspec draft from GET {target.host}{target.path}",
        "sourceSpec": {"attributes": attributes},
    }
    if singer:
        document["singer"] = singer
    return document


def whole_response(records: tuple[str, ...], record: dict[str, Any]) -> dict[str, Any]:
    """A schema of the whole answer: the records' array at `records`, its items `record`."""
    schema: dict[str, Any] = {"type": "array", "items": record}
    for name in reversed(records):
        schema = {"type": "object", "properties": {name: schema}}
    return schema


def parsed(document: dict[str, Any]) -> StreamSpec:
    """The document as the tap reads it; a SpecError (every problem) if the tap would refuse it."""
    problems = Problems("draft")
    spec = parse_document(document, "draft", problems)
    if problems.lines or spec is None:
        raise SpecError(problems.lines or ["draft: the drafted spec cannot be read"])
    return spec


def spec_text(document: dict[str, Any], secrets: Iterable[str]) -> str:
    """The document as written: JSON, indented; never with a secret in it, in any encoding."""
    text = json.dumps(document, indent=2, ensure_ascii=False) + "\n"
    for secret in secrets:
        if any(form in text for form in encodings(secret)):
            raise UserError("draft: the answer's field names hold a secret value; no spec written")
    return text

"""Parse spec documents into `model.spec.StreamSpec`; with `model.fields.Fields`, the only reader of
spec JSON.

Every problem is collected as one line, `file: property: message`, so a user sees
all of them at once and before any request is sent. Checking the user's values
against a parsed spec is a separate step (`config/binding.py`).
"""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path
from typing import Any

from tap_restspec.auth.entries import parse_entries
from tap_restspec.errors import SpecError, one_line
from tap_restspec.expr import dates
from tap_restspec.model.fields import Fields, NotJSONError, Problems, loads, too_deep
from tap_restspec.model.jsonpath import last_name, simple_segments
from tap_restspec.model.spec import (
    NEWEST_FIRST,
    OLDEST_FIRST,
    Parent,
    Request,
    Schedule,
    Selection,
    StreamSpec,
)
from tap_restspec.paging.types import NoPaging, parse_paging
from tap_restspec.parse.inputs import parse_inputs
from tap_restspec.parse.keys import check_keys, warning
from tap_restspec.parse.on_error import parse_error_actions
from tap_restspec.parse.request import body_templates, parse_request
from tap_restspec.parse.schema import custom_schema

LOGGER = logging.getLogger("tap-restspec")

DEFAULT_FORMAT = "yyyy-MM-ddTHH:mm:ssZ"


def snake_case(name: str) -> str:
    """`MailChimp Members` -> `mailchimp_members`."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def load_spec(path: Path, display: str) -> StreamSpec:
    """Read and parse one spec file; raises SpecError with every problem found."""
    spec, lines = read_spec(path, display)
    if lines or spec is None:
        raise SpecError(lines)
    return spec


def read_spec(path: Path, display: str) -> tuple[StreamSpec | None, list[str]]:
    """Read and parse one spec file: the spec (when one could be made, even with problems) and the problems.

    A spec with problems is returned too, so that the checks against the user's values
    can report theirs at the same time: every problem at once.
    """
    try:
        document = loads(path.read_bytes().decode("utf-8-sig"))
    except NotJSONError as exc:
        raise SpecError(f"{display}: not valid JSON: {exc}") from None
    except OSError as exc:
        raise SpecError(f"{display}: cannot read file: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise SpecError(
            f"{display}: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except UnicodeDecodeError:
        raise SpecError(f"{display}: not valid JSON: the file is not UTF-8 text") from None
    except RecursionError:
        raise SpecError(f"{display}: not valid JSON: nested too deeply") from None
    problems = Problems(display)
    spec = parse_document(document, path.stem, problems)
    if problems.unknown:
        LOGGER.warning("%s", one_line(warning(display, problems.unknown)))
    return spec, problems.lines


def parse_document(document: Any, stem: str, problems: Problems) -> StreamSpec | None:
    """A spec document in any of its three forms; None when it cannot become a stream."""
    if not isinstance(document, dict):
        problems.add("", "a spec must be a JSON object")
        return None
    if (
        isinstance(document.get("items"), list)
        and "sourceSpec" not in document
        and "attributes" not in document
    ):
        problems.add(
            "items",
            "this is a list of connection specs (a GET /connectionSpecs answer); "
            "save the one you want (items[0]) by itself as the spec file",
        )
        return None
    if too_deep(document):
        problems.add("", "nested too deeply (more than 64 levels of objects and arrays)")
        return None
    problems.unknown = check_keys(document, problems)
    top = Fields(document, "", problems)
    source = Fields(
        document.get("sourceSpec", document), "sourceSpec" if "sourceSpec" in document else "", problems
    )
    if not isinstance(source.value("attributes"), dict):
        source.add(
            "attributes",
            "required property is missing" if not source.has("attributes") else "must be an object",
        )
        return None
    attributes = Fields(source.value("attributes"), "", problems)
    singer = top.object("singer")
    user = source.object("spec")
    inputs = parse_inputs(user)
    content = _selection(attributes, "contentPath")
    explode = _selection(attributes, "explodeEntityPath") if attributes.has("explodeEntityPath") else None
    _check_explode(content, explode, problems)
    request = parse_request(attributes)
    paging = parse_paging(attributes.object("paginationParams"), attributes.has("paginationParams"))
    if (
        paging is not None
        and paging.placement == "BODYPARAM"
        and request
        and not isinstance(request.body, dict)
    ):
        attributes.add("paginationParams.parameterType", "BODYPARAM needs a JSON object in bodyParams")
    schedule = (
        _schedule(attributes.object("scheduleParams"), request)
        if attributes.has("scheduleParams")
        else None
    )
    schema = custom_schema(attributes if attributes.has("schema") else source)
    name = singer.text("name") or top.text("name") or stem
    window_step = None
    if singer.has("windowStep"):
        try:
            window_step = dates.parse_duration(str(singer.value("windowStep")))
        except ValueError as exc:
            singer.add("windowStep", str(exc))
    entries = parse_entries(top, parse_inputs)
    replication_key = singer.text("replicationKey")
    record_order = _record_order(singer, replication_key)
    actions = parse_error_actions(singer)
    if request is None:
        return None
    # With a problem noted, a stand-in keeps the spec whole enough for the value checks to
    # report theirs too (every problem at once); such a spec never runs.
    content = content or Selection(path="$")
    paging = paging or NoPaging()
    spec = StreamSpec(
        file=problems.file,
        name=snake_case(name),
        request=request,
        content=content,
        explode=explode,
        pagination=paging,
        schedule=schedule,
        schema=schema,
        inputs=inputs,
        required=user.strings("required") or (),
        primary_keys=singer.strings("primaryKeys") or (),
        replication_key=replication_key,
        is_sorted=record_order == OLDEST_FIRST,
        record_order=record_order,
        auth=entries,
        window_step=window_step,
        parent=_parent(singer.object("parent")) if singer.has("parent") else None,
        description=top.text("description") or user.text("description"),
        on_http_error=actions,
    )
    if not spec.name:
        singer.add("name", f"{name!r} gives an empty stream name")
    return spec


def _selection(attributes: Fields, key: str) -> Selection | None:
    raw = attributes.value(key)
    if raw is None:
        attributes.add(key, "required property is missing")
        return None
    fields = Fields({"path": raw} if isinstance(raw, str) else raw, key, attributes.problems)
    if not isinstance(raw, (str, dict)):
        return None
    path = fields.json_path("path", required=True)
    if path is None:
        return None
    keep = fields.strings("keepAttributes")
    wrapper = fields.text("overrideWrapperAttribute") or last_name(path)
    return Selection(path=path, keep=keep, skip=fields.strings("skipAttributes") or (), wrapper=wrapper)


def _check_explode(content: Selection | None, explode: Selection | None, problems: Problems) -> None:
    if content is None or explode is None:
        return
    if not content.wrapper:
        problems.add(
            "explodeEntityPath.path",
            "contentPath has no name to address it by; set contentPath.overrideWrapperAttribute",
        )
        return
    prefix = f"$.{content.wrapper}."
    if (
        not explode.path.startswith(prefix)
        or len(explode.path) == len(prefix)
        or not simple_segments(explode.path)
    ):
        problems.add(
            "explodeEntityPath.path",
            f"{explode.path!r} must start with {prefix!r} (the records' wrapper name)",
        )


def _schedule(fields: Fields, request: Request | None) -> Schedule | None:
    if not fields.raw:
        return None
    kind = fields.choice("type", ("ADVANCE",), default="")
    if kind == "ADVANCE":
        fmt = _format(fields, "paramFormat", DEFAULT_FORMAT)
        incremental = fields.text("incremental", required=True)
        # "" is a backfill with no filter: a first run reads everything (contract, 2026-12-07)
        backfill = "" if fields.value("backfill") == "" else fields.text("backfill", required=True)
        return Schedule(advance=True, param_format=fmt, incremental=incremental, backfill=backfill)
    if kind is None:
        return None
    # Either name may be left out: an API that filters on a start only (GitHub `since`, Stripe
    # `created[gte]`) sends no end, and {START_TIME} in the request may stand for the start.
    start = fields.text("scheduleStartParamName")
    end = fields.text("scheduleEndParamName")
    if start is None and not _window_placeholders(request):
        fields.add(
            "scheduleStartParamName",
            "required property is missing (or put {START_TIME} in the request's path, query, "
            "headers or body)",
        )
    start_format = _format(fields, "scheduleStartParamFormat", DEFAULT_FORMAT)
    end_format = _format(fields, "scheduleEndParamFormat", start_format)
    return Schedule(
        advance=False,
        start_name=start,
        end_name=end,
        start_format=start_format,
        end_format=end_format,
        param_format=start_format,
    )


def _window_placeholders(request: Request | None) -> bool:
    """The request uses {START_TIME} or {END_TIME} somewhere (a failed request parse: assume so)."""
    if request is None:
        return True
    parts = [request.path, *(t for _, t in request.query), *(t for _, t in request.headers)]
    parts += body_templates(request.body)
    return any(t.names & {"START_TIME", "END_TIME"} for t in parts)


def _record_order(singer: Fields, replication_key: str | None) -> str | None:
    """`recordOrder` (any case); `isSorted: true` is the SDK's word for oldest first."""
    order = singer.choice("recordOrder", (NEWEST_FIRST, OLDEST_FIRST))
    is_sorted = singer.boolean("isSorted")
    if is_sorted and order == NEWEST_FIRST:
        singer.add("isSorted", "true says the records come oldest first, but recordOrder says newest_first")
    if order is not None and not replication_key:
        singer.add("recordOrder", "needs singer.replicationKey (the field the records are ordered by)")
    return order or (OLDEST_FIRST if is_sorted and replication_key else None)


def _format(fields: Fields, key: str, default: str) -> str:
    fmt = fields.text(key)
    if fmt is None:
        return default
    try:
        dates.compile_format(fmt)
    except dates.DateFormatError as exc:
        fields.add(key, str(exc))
        return default
    return fmt


def _parent(fields: Fields) -> Parent | None:
    stream = fields.text("stream", required=True)
    values = fields.object("values")
    pairs = []
    for name, _ in values.items():
        path = values.json_path(name, required=True)
        if path is not None:
            pairs.append((str(name), path))
    if not fields.has("values") or not pairs:
        fields.add("values", "needs at least one placeholder name and its JSONPath in the parent record")
        return None
    return Parent(snake_case(stream), tuple(pairs)) if stream else None

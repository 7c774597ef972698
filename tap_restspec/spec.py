"""Parse and validate spec documents into frozen objects; the only module that reads raw spec JSON.

Every problem is collected as one line, `file: property: message`, so a user sees
all of them at once and before any request is sent.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tap_restspec import adf, dates
from tap_restspec.errors import SpecError
from tap_restspec.templating import Template, as_text, compile_template

PAGINATION_TYPES = ("OFFSET", "POINTER", "CONTINUATION_TOKEN", "PAGE", "NONE")
PARAMETER_TYPES = ("QUERYPARAM", "HEADERPARAM")
METHODS = ("GET", "POST")
SCHEDULE_NAMES = frozenset({"START_TIME", "END_TIME", "SCHEDULE_QUERY"})
SECRET_SETTINGS = (
    "api_key",
    "username",
    "password",
    "client_id",
    "client_secret",
    "access_token",
    "refresh_token",
)
JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "integer": (int,),
    "number": (int, float),
    "boolean": (bool,),
    "array": (list,),
    "object": (dict,),
    "null": (type(None),),
}


@dataclass(frozen=True)
class Selection:
    """`contentPath` or `explodeEntityPath`: where records sit and which keys they keep."""

    path: str
    keep: tuple[str, ...] | None
    skip: tuple[str, ...]
    wrapper: str | None  # overrideWrapperAttribute, else the last name in the path


@dataclass(frozen=True)
class Pagination:
    """`paginationParams`, with the documented aliases and string numbers resolved."""

    type: str
    limit_name: str | None = None
    limit_value: int | None = None
    offset_name: str | None = None
    end_condition_path: str | None = None
    end_condition_value: Any = None
    pointer_path: str | None = None
    token_path: str | None = None
    parameter_type: str = "QUERYPARAM"
    parameter_name: str | None = None
    page_param: str | None = None
    initial_page: int = 0
    end_page: int | None = None
    end_page_header: str | None = None
    maximum_request: int = 10000
    delay_ms: int = 0


@dataclass(frozen=True)
class Schedule:
    """`scheduleParams`: the simple form (param names) or `ADVANCE` (query templates)."""

    advance: bool
    start_name: str | None = None
    end_name: str | None = None
    start_format: str = "yyyy-MM-ddTHH:mm:ssZ"
    end_format: str = "yyyy-MM-ddTHH:mm:ssZ"
    param_format: str = "yyyy-MM-ddTHH:mm:ssZ"
    incremental: str | None = None
    backfill: str | None = None


@dataclass(frozen=True)
class Request:
    """The request templates of a spec, compiled once."""

    host: Template
    path: Template
    method: str
    query: tuple[tuple[str, Template], ...]
    headers: tuple[tuple[str, Template], ...]
    body: Any  # JSON value whose strings are Templates, or a Template, or None


@dataclass(frozen=True)
class StreamSpec:
    """One spec file, ready to become one stream."""

    file: str
    name: str
    request: Request
    content: Selection
    explode: Selection | None
    pagination: Pagination
    schedule: Schedule | None
    schema: dict[str, Any] | None
    properties: Mapping[str, Any]
    required: tuple[str, ...]
    primary_keys: tuple[str, ...]
    replication_key: str | None
    is_sorted: bool
    auth: tuple[Mapping[str, Any], ...]
    description: str | None = None
    defaults: Mapping[str, Any] = field(default_factory=dict)


class _Problems:
    """Collects `file: property: message` lines."""

    def __init__(self, file: str) -> None:
        self.file = file
        self.lines: list[str] = []

    def add(self, prop: str, message: str) -> None:
        self.lines.append(f"{self.file}: {prop}: {message}" if prop else f"{self.file}: {message}")


def snake_case(name: str) -> str:
    """`MailChimp Members` -> `mailchimp_members`."""
    return re.sub(r"[^0-9a-z]+", "_", name.lower()).strip("_")


def load_spec(path: Path, display: str, values: Mapping[str, Any]) -> StreamSpec:
    """Read and validate one spec file; `values` are the settings and params it may use.

    Raises SpecError with every problem found.
    """
    problems = _Problems(display)
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise SpecError(f"{display}: cannot read file: {exc.strerror}") from None
    except json.JSONDecodeError as exc:
        raise SpecError(
            f"{display}: not valid JSON at line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except UnicodeDecodeError as exc:
        raise SpecError(f"{display}: not valid JSON: {exc}") from None
    spec = parse_document(document, path.stem, problems, values)
    if problems.lines or spec is None:
        raise SpecError(problems.lines)
    return spec


def parse_document(
    document: Any, stem: str, problems: _Problems, values: Mapping[str, Any]
) -> StreamSpec | None:
    """Turn a spec document (any of the three forms) into a StreamSpec, noting problems."""
    if not isinstance(document, dict):
        problems.add("", "a spec must be a JSON object")
        return None
    source = document.get("sourceSpec", document)
    if not isinstance(source, dict):
        problems.add("sourceSpec", "must be an object")
        return None
    attributes = source.get("attributes")
    if not isinstance(attributes, dict):
        problems.add("attributes", "required property is missing")
        return None
    singer = _object(document.get("singer"), "singer", problems)
    user_spec = _object(source.get("spec"), "spec", problems)
    properties = _object(user_spec.get("properties"), "spec.properties", problems)
    required = tuple(str(x) for x in _list(user_spec.get("required"), "spec.required", problems))

    name = singer.get("name") or document.get("name") or stem
    content = _selection(attributes.get("contentPath"), "contentPath", problems)
    explode = None
    if attributes.get("explodeEntityPath") is not None:
        explode = _selection(attributes["explodeEntityPath"], "explodeEntityPath", problems)
        _check_explode(content, explode, problems)
    request = _request(attributes, problems)
    pagination = _pagination(attributes.get("paginationParams"), problems)
    schedule = _schedule(attributes.get("scheduleParams"), problems)
    schema = attributes.get("schema", source.get("schema"))
    if schema is not None and not isinstance(schema, dict):
        problems.add("schema", "must be a JSON schema object")
        schema = None
    primary_keys = tuple(_list(singer.get("primaryKeys"), "singer.primaryKeys", problems))
    replication_key = singer.get("replicationKey")
    auth = tuple(a for a in _list(document.get("authSpec"), "authSpec", problems) if isinstance(a, dict))
    if content is None or request is None or pagination is None:
        return None
    defaults = {k: v["default"] for k, v in properties.items() if isinstance(v, dict) and "default" in v}
    spec = StreamSpec(
        file=problems.file,
        name=snake_case(str(name)),
        request=request,
        content=content,
        explode=explode,
        pagination=pagination,
        schedule=schedule,
        schema=schema,
        properties=properties,
        required=required,
        primary_keys=tuple(str(k) for k in primary_keys),
        replication_key=str(replication_key) if replication_key else None,
        is_sorted=bool(singer.get("isSorted", False)),
        auth=auth,
        description=_description(document, source),
        defaults=defaults,
    )
    if not spec.name:
        problems.add("singer.name", f"{name!r} gives an empty stream name")
    _check_inputs(spec, values, problems)
    return spec


def _description(document: Mapping[str, Any], source: Mapping[str, Any]) -> str | None:
    text = document.get("description") or source.get("spec", {}).get("description")
    return str(text) if text else None


def _object(value: Any, prop: str, problems: _Problems) -> dict[str, Any]:
    if value is None:
        return {}
    if not isinstance(value, dict):
        problems.add(prop, "must be an object")
        return {}
    return value


def _list(value: Any, prop: str, problems: _Problems) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        problems.add(prop, "must be an array")
        return []
    return value


def _int(value: Any, prop: str, problems: _Problems, minimum: int = 0) -> int | None:
    """An integer, also when written as a string ("100"), as Adobe's documents do."""
    if isinstance(value, bool):
        problems.add(prop, f"{value!r} is not an integer")
        return None
    if isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
        number = int(value)
    else:
        problems.add(prop, f"{value!r} is not an integer")
        return None
    if number < minimum:
        problems.add(prop, f"{number} is less than {minimum}")
        return None
    return number


def _str(mapping: Mapping[str, Any], key: str, prop: str, problems: _Problems) -> str | None:
    """A required non-empty string property."""
    value = mapping.get(key)
    if value is None or value == "":
        problems.add(prop, "required property is missing")
        return None
    if not isinstance(value, str):
        problems.add(prop, f"{value!r} is not a string")
        return None
    return value


def _template(text: str, prop: str, problems: _Problems) -> Template:
    try:
        return compile_template(text)
    except adf.ExpressionError as exc:
        problems.add(prop, str(exc))
        return compile_template("")


def last_name(path: str) -> str | None:
    """The last member name in a JSONPath: `$.data.sources[*]` -> `sources`."""
    names = re.findall(r"(?:\.|\[['\"])([A-Za-z_][\w\-]*)", path)
    return names[-1] if names else None


def _selection(value: Any, prop: str, problems: _Problems) -> Selection | None:
    if value is None:
        problems.add(prop, "required property is missing")
        return None
    if isinstance(value, str):
        value = {"path": value}
    if not isinstance(value, dict):
        problems.add(prop, "must be an object with a path")
        return None
    path = _str(value, "path", f"{prop}.path", problems)
    if path is None:
        return None
    from tap_restspec.records import PathError, compile_path

    try:
        compile_path(path)
    except PathError as exc:
        problems.add(f"{prop}.path", str(exc))
        return None
    keep = value.get("keepAttributes")
    keep_list = _list(keep, f"{prop}.keepAttributes", problems) if keep is not None else None
    skip = _list(value.get("skipAttributes"), f"{prop}.skipAttributes", problems)
    wrapper = value.get("overrideWrapperAttribute") or last_name(path)
    return Selection(
        path=path,
        keep=tuple(str(k) for k in keep_list) if keep_list is not None else None,
        skip=tuple(str(k) for k in skip),
        wrapper=str(wrapper) if wrapper else None,
    )


def _check_explode(content: Selection | None, explode: Selection | None, problems: _Problems) -> None:
    if content is None or explode is None:
        return
    if not content.wrapper:
        problems.add(
            "explodeEntityPath.path",
            "contentPath has no name to address it by; set contentPath.overrideWrapperAttribute",
        )
        return
    prefix = f"$.{content.wrapper}."
    if not explode.path.startswith(prefix) or len(explode.path) == len(prefix):
        problems.add(
            "explodeEntityPath.path",
            f"{explode.path!r} must start with {prefix!r} (the records' wrapper name)",
        )


def _pairs(value: Any, prop: str, problems: _Problems) -> list[tuple[str, str]]:
    """Query or header parameters: an object, or the legacy `k=v,k2=v2` string."""
    if value is None:
        return []
    if isinstance(value, str):
        pairs = []
        for item in filter(None, (s.strip() for s in value.split(","))):
            key, sep, val = item.partition("=")
            if not sep or not key.strip():
                problems.add(prop, f"{item!r} is not key=value")
                continue
            pairs.append((key.strip(), val.strip()))
        return pairs
    if isinstance(value, dict):
        pairs = []
        for key, val in value.items():
            if isinstance(val, (dict, list)) or val is None:
                problems.add(f"{prop}.{key}", "must be a string, number or boolean")
                continue
            pairs.append((str(key), as_text(val)))
        return pairs
    problems.add(prop, "must be an object (or a 'k=v,k2=v2' string)")
    return []


def _request(attributes: Mapping[str, Any], problems: _Problems) -> Request | None:
    url = attributes.get("urlParams")
    if not isinstance(url, dict):
        problems.add("urlParams", "required property is missing")
        return None
    host = _str(url, "host", "urlParams.host", problems)
    path = url.get("path", "")
    if not isinstance(path, str):
        problems.add("urlParams.path", f"{path!r} is not a string")
        path = ""
    method = str(url.get("method", "GET")).upper()
    if method not in METHODS:
        problems.add("urlParams.method", f"{url.get('method')!r} is not one of {', '.join(METHODS)}")
    query = [
        (k, _template(v, f"urlParams.queryParams.{k}", problems))
        for k, v in _pairs(url.get("queryParams"), "urlParams.queryParams", problems)
    ]
    headers = [
        (k, _template(v, f"headerParams.{k}", problems))
        for k, v in _pairs(attributes.get("headerParams"), "headerParams", problems)
    ]
    body = _body(attributes.get("bodyParams"), "bodyParams", problems)
    if host is None:
        return None
    return Request(
        host=_template(host, "urlParams.host", problems),
        path=_template(path, "urlParams.path", problems),
        method=method,
        query=tuple(query),
        headers=tuple(headers),
        body=body,
    )


def _body(value: Any, prop: str, problems: _Problems) -> Any:
    """Compile every string in a JSON body (keys stay literal)."""
    if isinstance(value, str):
        return _template(value, prop, problems)
    if isinstance(value, dict):
        return {k: _body(v, f"{prop}.{k}", problems) for k, v in value.items()}
    if isinstance(value, list):
        return [_body(v, f"{prop}[{i}]", problems) for i, v in enumerate(value)]
    return value


def body_templates(body: Any) -> Iterator[Template]:
    """Every template in a compiled body."""
    if isinstance(body, Template):
        yield body
    elif isinstance(body, dict):
        for v in body.values():
            yield from body_templates(v)
    elif isinstance(body, list):
        for v in body:
            yield from body_templates(v)


def _pagination(value: Any, problems: _Problems) -> Pagination | None:
    if value is None:
        return Pagination(type="NONE")
    prop = "paginationParams"
    if not isinstance(value, dict):
        problems.add(prop, "must be an object")
        return None
    kind = value.get("type")
    if kind not in PAGINATION_TYPES:
        problems.add(f"{prop}.type", f"{kind!r} is not one of {', '.join(PAGINATION_TYPES)}")
        return None
    delay = value.get("delayRequestMillis")
    delay_ms = (_int(delay, f"{prop}.delayRequestMillis", problems) or 0) if delay is not None else 0
    if kind == "NONE":
        return Pagination(type="NONE", delay_ms=delay_ms)
    if kind == "CONTINUATION_TOKEN":
        token_path = _str(value, "continuationTokenPath", f"{prop}.continuationTokenPath", problems)
        name = _str(value, "parameterName", f"{prop}.parameterName", problems)
        ptype = value.get("parameterType", "QUERYPARAM")
        if ptype not in PARAMETER_TYPES:
            problems.add(f"{prop}.parameterType", f"{ptype!r} is not one of {', '.join(PARAMETER_TYPES)}")
        _check_path(token_path, f"{prop}.continuationTokenPath", problems)
        limit_name, limit_value = _optional_limit(value, prop, problems)
        return Pagination(
            type=kind,
            token_path=token_path,
            parameter_type=str(ptype),
            parameter_name=name,
            limit_name=limit_name,
            limit_value=limit_value,
            delay_ms=delay_ms,
        )
    if kind == "POINTER":
        key = "pointerPath" if value.get("pointerPath") else "pointerName"
        pointer = value.get(key)
        if not pointer:
            problems.add(f"{prop}.pointerPath", "required property is missing")
        _check_path(pointer, f"{prop}.{key}", problems)
        limit_name, limit_value = _optional_limit(value, prop, problems)
        return Pagination(
            type=kind,
            pointer_path=pointer if isinstance(pointer, str) else None,
            limit_name=limit_name,
            limit_value=limit_value,
            delay_ms=delay_ms,
        )
    limit_name = _str(value, "limitName", f"{prop}.limitName", problems)
    limit_value = _required_int(value, "limitValue", prop, problems, minimum=1)
    if kind == "OFFSET":
        key = "offSetName" if "offSetName" in value else "offsetName"
        offset_name = _str(value, key, f"{prop}.offsetName", problems)
        end_path = value.get("endConditionName")
        _check_path(end_path, f"{prop}.endConditionName", problems)
        end_value: Any = None
        if end_path is not None:
            end_value = _const(value.get("endConditionValue"), f"{prop}.endConditionValue", problems)
        return Pagination(
            type=kind,
            limit_name=limit_name,
            limit_value=limit_value,
            offset_name=offset_name,
            end_condition_path=end_path,
            end_condition_value=end_value,
            delay_ms=delay_ms,
        )
    page_param = _str(value, "pageParamName", f"{prop}.pageParamName", problems)
    initial = value.get("initialPageIndex", 0)
    initial_page = _int(initial, f"{prop}.initialPageIndex", problems) or 0
    end_page, end_header = None, None
    end = value.get("endPageIndex")
    if isinstance(end, str) and end.lower().startswith("headers."):
        end_header = end[len("headers.") :]
        if not end_header:
            problems.add(f"{prop}.endPageIndex", "'headers.' needs a header name")
    elif end is not None:
        end_page = _int(end, f"{prop}.endPageIndex", problems)
    maximum = _int(value.get("maximumRequest", 10000), f"{prop}.maximumRequest", problems, 1)
    return Pagination(
        type=kind,
        limit_name=limit_name,
        limit_value=limit_value,
        page_param=page_param,
        initial_page=initial_page,
        end_page=end_page,
        end_page_header=end_header,
        maximum_request=maximum or 10000,
        delay_ms=delay_ms,
    )


def _required_int(
    value: Mapping[str, Any], key: str, prop: str, problems: _Problems, minimum: int = 0
) -> int | None:
    if value.get(key) in (None, ""):
        problems.add(f"{prop}.{key}", "required property is missing")
        return None
    return _int(value[key], f"{prop}.{key}", problems, minimum)


def _optional_limit(
    value: Mapping[str, Any], prop: str, problems: _Problems
) -> tuple[str | None, int | None]:
    name = value.get("limitName")
    if not name:
        return None, None
    return str(name), _required_int(value, "limitValue", prop, problems, minimum=1)


def _check_path(path: Any, prop: str, problems: _Problems) -> None:
    if path is None:
        return
    from tap_restspec.records import PathError, compile_path

    if not isinstance(path, str) or not path:
        problems.add(prop, f"{path!r} is not a JSONPath")
        return
    try:
        compile_path(path)
    except PathError as exc:
        problems.add(prop, str(exc))


def _const(value: Any, prop: str, problems: _Problems) -> Any:
    """`Const:false` is the JSON value false; anything else compares as a string."""
    if value is None:
        problems.add(prop, "required with endConditionName")
        return None
    if isinstance(value, str) and value.startswith("Const:"):
        raw = value[len("Const:") :]
        try:
            return json.loads(raw)
        except json.JSONDecodeError:
            return raw
    return value if isinstance(value, str) else json.dumps(value)


def _schedule(value: Any, problems: _Problems) -> Schedule | None:
    if value is None:
        return None
    prop = "scheduleParams"
    if not isinstance(value, dict):
        problems.add(prop, "must be an object")
        return None
    if not value:
        return None
    if str(value.get("type", "")).upper() == "ADVANCE":
        fmt = value.get("paramFormat") or "yyyy-MM-ddTHH:mm:ssZ"
        _check_format(fmt, f"{prop}.paramFormat", problems)
        incremental = _str(value, "incremental", f"{prop}.incremental", problems)
        backfill = _str(value, "backfill", f"{prop}.backfill", problems)
        return Schedule(advance=True, param_format=fmt, incremental=incremental, backfill=backfill)
    if value.get("type") not in (None, ""):
        problems.add(f"{prop}.type", f"{value.get('type')!r} is not ADVANCE (or absent)")
    start = _str(value, "scheduleStartParamName", f"{prop}.scheduleStartParamName", problems)
    end = _str(value, "scheduleEndParamName", f"{prop}.scheduleEndParamName", problems)
    start_format = value.get("scheduleStartParamFormat") or "yyyy-MM-ddTHH:mm:ssZ"
    end_format = value.get("scheduleEndParamFormat") or start_format
    _check_format(start_format, f"{prop}.scheduleStartParamFormat", problems)
    _check_format(end_format, f"{prop}.scheduleEndParamFormat", problems)
    return Schedule(
        advance=False,
        start_name=start,
        end_name=end,
        start_format=start_format,
        end_format=end_format,
        param_format=start_format,
    )


def _check_format(fmt: Any, prop: str, problems: _Problems) -> None:
    if not isinstance(fmt, str):
        problems.add(prop, f"{fmt!r} is not a date format string")
        return
    try:
        dates.compile_format(fmt)
    except dates.DateFormatError as exc:
        problems.add(prop, str(exc))


def _check_inputs(spec: StreamSpec, values: Mapping[str, Any], problems: _Problems) -> None:
    """Every placeholder and required input has a value; params match their declared types."""
    known = {k for k, v in values.items() if v is not None and v != ""} | set(spec.defaults)
    allowed = set(known)
    if spec.schedule is not None:
        allowed |= {"START_TIME", "END_TIME"}
        if spec.schedule.advance:
            allowed.add("SCHEDULE_QUERY")
    for prop, template in _templates(spec):
        for name in sorted(template.names - allowed):
            hint = (
                "only a spec with an ADVANCE scheduleParams has it"
                if name in SCHEDULE_NAMES
                else f"set it in params.{name}"
                if name not in SECRET_SETTINGS
                else f"set the {name} setting"
            )
            problems.add(prop, f"placeholder {{{name}}} has no value ({hint})")
    for name in spec.required:
        if name not in known:
            problems.add(f"spec.properties.{name}", f"required input has no value (set params.{name})")
    for name, declared in spec.properties.items():
        if name not in values or not isinstance(declared, dict):
            continue
        _check_type(name, values[name], declared, problems)


def _check_type(name: str, value: Any, declared: Mapping[str, Any], problems: _Problems) -> None:
    kinds = declared.get("type")
    kinds = [kinds] if isinstance(kinds, str) else list(kinds or [])
    ok = not kinds or any(
        isinstance(value, JSON_TYPES.get(k, object)) and not (k != "boolean" and isinstance(value, bool))
        for k in kinds
    )
    if not ok:
        problems.add(
            f"params.{name}",
            f"{value!r} is not of type {' or '.join(kinds)} (spec.properties.{name})",
        )
    elif "enum" in declared and value not in declared["enum"]:
        allowed = ", ".join(map(str, declared["enum"]))
        problems.add(f"params.{name}", f"{value!r} is not one of {allowed}")


def _templates(spec: StreamSpec) -> Iterator[tuple[str, Template]]:
    request = spec.request
    yield "urlParams.host", request.host
    yield "urlParams.path", request.path
    for key, template in request.query:
        yield f"urlParams.queryParams.{key}", template
    for key, template in request.headers:
        yield f"headerParams.{key}", template
    for template in body_templates(request.body):
        yield "bodyParams", template

"""SpecStream: the glue between a parsed spec and the SDK's RESTStream."""

from __future__ import annotations

import random
import re
import time
from collections.abc import Callable, Generator, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from email.utils import parsedate_to_datetime
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit, urlunsplit

import orjson
import requests
from singer_sdk.exceptions import RetriableAPIError
from singer_sdk.helpers._util import utc_now
from singer_sdk.singerlib import RecordMessage
from singer_sdk.streams import RESTStream
from singer_sdk.streams.rest import HTTPRequest, PageContext

from tap_restspec import auth, dates
from tap_restspec.conform import compile_check
from tap_restspec.errors import StreamError, api_message
from tap_restspec.pagination import SpecPaginator, make_paginator
from tap_restspec.records import BodyError, Extractor, record_schema
from tap_restspec.redact import REDACTOR
from tap_restspec.schedule import ScheduleValues, Window, make_window, schedule_values
from tap_restspec.spec import StreamSpec
from tap_restspec.templating import (
    Template,
    TemplateError,
    check_header_value,
    encode_host_value,
    encode_path_value,
)

if TYPE_CHECKING:
    from singer_sdk import Tap
    from singer_sdk.helpers.types import Context

WINDOW_KEY = "window_end"
SAMPLE_SIZE = 100
_PAGE = "_restspec_page"


@dataclass(frozen=True)
class Page:
    """A parsed response: its JSON body and its raw records (before keep, skip, explode)."""

    body: Any
    raw: list[Any]


@dataclass(frozen=True)
class RunRequest:
    """The first page's request of one run, rendered once."""

    url: str
    method: str
    params: dict[str, Any]
    headers: dict[str, str]
    body: Any


class SpecStream(RESTStream[Any]):
    """A stream whose requests, pages, records, schema and bookmarks all come from a spec."""

    def __init__(
        self,
        *,
        tap: Tap,
        spec: StreamSpec,
        values: Mapping[str, Any],
        schema: dict[str, Any] | None = None,
    ) -> None:
        self.spec = spec
        self._values = dict(values)
        self._run: RunRequest | None = None
        self._window: Window | None = None
        self._paginator: SpecPaginator | None = None
        self._last_request_at = 0.0
        self._sample: tuple[str | None, Any, requests.Response] | None = None
        self._unchanged: Callable[[Any], bool] | None = None
        self._extracted_at = utc_now()
        self._now = datetime.now(timezone.utc)
        parent_fields: frozenset[str] = frozenset()
        if spec.schema is not None:  # a custom schema wins over any catalog's
            schema, parent_fields = record_schema(spec.schema, spec.content, spec.explode)
        self.extractor = Extractor(spec.content, spec.explode, parent_fields)
        super().__init__(
            tap=tap,
            name=spec.name,
            schema=schema,
            path=spec.request.path.source or "/",
            http_method=spec.request.method,
        )
        self.primary_keys = list(spec.primary_keys)
        self.replication_key = spec.replication_key
        self.payload_as_json = not isinstance(spec.request.body, Template)
        self._authenticator = auth.build(spec, self._values, tap_config=self.config)

    # --- settings -----------------------------------------------------------

    @property
    def url_base(self) -> str:
        """The spec's host, filled in; the `base_url` setting replaces its origin."""
        host = self.spec.request.host.render(self._values, encode=encode_host_value).rstrip("/")
        override = self.config.get("base_url")
        if not override:
            return host
        base, parts = urlsplit(override.rstrip("/")), urlsplit(host)
        return urlunsplit((base.scheme, base.netloc, base.path + parts.path, "", ""))

    @property
    def is_sorted(self) -> bool:
        """Only when the spec's singer block says so."""
        return self.spec.is_sorted

    @property
    def timeout(self) -> float:  # type: ignore[override]
        """The `request_timeout` setting."""
        return float(self.config.get("request_timeout", 300))

    @property
    def authenticator(self) -> Any:
        """Auth from the spec's authSpec (headers with placeholders need none)."""
        return self._authenticator

    @property
    def schema(self) -> dict[str, Any]:
        """The custom schema, else one inferred from a sample of the first page."""
        if self._schema is None:
            self._schema = self._infer_schema()
        return self._schema

    # --- one run --------------------------------------------------------------

    def get_records(self, context: Context | None) -> Iterable[dict[str, Any]]:
        """Every record of this run's window; then the bookmark moves to the window's end."""
        self._prepare_run(context)
        yield from self.request_records(context)
        if self._windowed:
            state = self.get_context_state(context)
            assert self._window is not None
            state["replication_key"] = WINDOW_KEY
            state["replication_key_value"] = dates.to_iso(self._window.end)
            self.logger.info("Stream %s: bookmark moves to %s", self.name, state["replication_key_value"])

    @property
    def _windowed(self) -> bool:
        return self.spec.schedule is not None and not self.spec.replication_key

    def _bookmark(self, context: Context | None) -> datetime | None:
        state = self.get_context_state(context)
        if self.spec.replication_key:
            value = self.get_starting_replication_key_value(context)
            if value is None or value == self.config.get("start_date"):
                return None
        elif state.get("replication_key", WINDOW_KEY) == WINDOW_KEY and state.get("replication_key_value"):
            value = state["replication_key_value"]  # ours, or a bare Singer bookmark
        else:
            return None
        try:
            return dates.parse_datetime(str(value))
        except ValueError:
            self.logger.warning("Stream %s: bookmark %r is not a date-time; ignoring it", self.name, value)
            return None

    def _prepare_run(self, context: Context | None) -> None:
        config = self.config
        window = make_window(
            bookmark=self._bookmark(context),
            start_date=_setting_date(config.get("start_date")),
            end_date=_setting_date(config.get("end_date")),
            lookback_seconds=float(config.get("lookback_window") or 0),
            now=self._now,
        )
        self._window = window
        if self.spec.schedule is not None:
            self.logger.info(
                "Stream %s: window %s .. %s",
                self.name,
                dates.to_iso(window.start) if window.start else "(beginning)",
                dates.to_iso(window.end),
            )
        self._run = self._render(schedule_values(self.spec.schedule, window))

    def _render(self, schedule: ScheduleValues) -> RunRequest:
        """The first page's URL, query, headers and body for this run."""
        values = {**self._values, **schedule.placeholders}
        request = self.spec.request
        extra: dict[str, Any] = {
            "adf_parameters": {**self._values, **schedule.adf_parameters},
            "now": self._now,
        }
        try:
            path = request.path.render(values, encode=encode_path_value, **extra)
            url = self.url_base + path
            if "?" in url:
                url = url.rstrip("&")
                url = url[:-1] if url.endswith("?") else url
            params: dict[str, Any] = {k: t.render(values, **extra) for k, t in request.query}
            params.update(schedule.query)
            headers = {k: check_header_value(k, t.render(values, **extra)) for k, t in request.headers}
            body = _render_body(request.body, values, extra)
        except TemplateError as exc:
            raise StreamError(f"{self.spec.file}: {exc}") from None
        return RunRequest(url, request.method, params, headers, body)

    def get_new_paginator(self) -> SpecPaginator:
        """A fresh paginator of the spec's type."""
        self._paginator = make_paginator(
            self.spec.pagination,
            self.name,
            self.url_base,
            body_of=lambda response: _page(response).body,
            records_of=lambda response: _page(response).raw,
        )
        return self._paginator

    def get_http_request(self, *, page: PageContext[Any]) -> HTTPRequest:
        """The run's request plus this page's token, offset, number or URL."""
        run = self._run
        if run is None:
            self._prepare_run(page.stream_context)
            run = self._run
        assert run is not None
        request = HTTPRequest(
            url=run.url,
            method=run.method,
            params=dict(run.params),
            headers={**self.http_headers, **run.headers},
            data=run.body,
        )
        paginator = self._paginator or self.get_new_paginator()
        paginator.place(request, page.next_page_token)
        self._pause()
        return request

    def _pause(self) -> None:
        """`delayRequestMillis` between two requests of this stream."""
        delay = self.spec.pagination.delay_ms / 1000
        if delay and self._last_request_at:
            remaining = self._last_request_at + delay - time.monotonic()
            if remaining > 0:
                time.sleep(remaining)

    # --- responses ------------------------------------------------------------

    def validate_response(self, response: requests.Response) -> None:
        """Retry 429 and 5xx; stop on other 4xx; parse the body once (bad JSON is an error)."""
        self._last_request_at = time.monotonic()
        self._extracted_at = utc_now()
        status = response.status_code
        if status == 429 or status >= 500:
            raise RetriableAPIError(self.response_error_message(response), response)
        if status >= 400:
            raise StreamError(self.response_error_message(response))
        content = response.content
        if not content.strip():
            setattr(response, _PAGE, Page(None, []))
            return
        try:
            body = orjson.loads(content)
        except orjson.JSONDecodeError:
            snippet = content[:80].decode("utf-8", "replace").replace("\n", " ")
            raise StreamError(
                f"stream {self.name}: response from {_url(response)} is not valid JSON: {snippet!r}"
            ) from None
        try:
            raw = self.extractor.raw_records(body)
        except BodyError as exc:
            raise StreamError(f"stream {self.name}: {exc} (from {_url(response)})") from None
        setattr(response, _PAGE, Page(body, raw))

    def response_error_message(self, response: requests.Response) -> str:
        """One line: stream, status, redacted URL and the API's own message, trimmed."""
        method = response.request.method if response.request is not None else "GET"
        reason = f" {response.reason}" if response.reason else ""
        message = f"stream {self.name}: HTTP {response.status_code}{reason} from {method} {_url(response)}"
        text = api_message(response)
        return REDACTOR.redact(f"{message}: {text}" if text else message)

    def parse_response(self, response: requests.Response) -> Iterable[dict[str, Any]]:
        """The page's records, flat."""
        return self.extractor.records(_page(response).raw)

    # --- retries (the SDK ignores Retry-After) ----------------------------------

    def request_decorator(self, func: Any) -> Any:
        """The SDK's retrying request, which first reuses the page sampled for the schema."""
        decorated = super().request_decorator(func)

        def request(prepared: requests.PreparedRequest, context: Context | None) -> requests.Response:
            sample, self._sample = self._sample, None
            if sample is not None and sample[:2] == (prepared.url, prepared.body):
                return sample[2]
            try:
                return decorated(prepared, context)
            except (RetriableAPIError, requests.RequestException, ConnectionResetError) as exc:
                tries = self.backoff_max_tries()
                raise StreamError(
                    f"stream {self.name}: gave up after {tries} tries: {REDACTOR.redact(_reason(exc))}"
                ) from None

        return request

    def backoff_max_tries(self) -> int:
        """The first try plus `max_retries`."""
        return int(self.config.get("max_retries", 5)) + 1

    def backoff_jitter(self, value: float) -> float:
        """Jitter is added in backoff_wait_generator, below Retry-After's floor."""
        return value

    def backoff_wait_generator(self) -> Generator[float, Any, None]:
        """Exponential backoff with jitter, never shorter than what Retry-After asks."""
        cap = float(self.config.get("max_retry_wait", 120))
        attempt = 0
        exception = yield 0.0
        while True:
            base = min(cap, 2.0**attempt) * random.uniform(0.5, 1.0)
            asked = retry_after(exception)
            if asked is not None and asked > cap:
                raise StreamError(
                    f"stream {self.name}: the API asks to wait {asked:.0f}s before retrying, "
                    f"more than max_retry_wait ({cap:.0f}s)"
                )
            attempt += 1
            exception = yield max(base, asked or 0.0)

    def backoff_handler(self, details: Any) -> None:
        """One warning per retry, redacted."""
        exc = details.get("exception")
        reason = str(exc) if isinstance(exc, RetriableAPIError) else type(exc).__name__
        self.logger.warning(
            "Stream %s: retry %d of %d in %.1fs after %s",
            self.name,
            details.get("tries", 0),
            self.backoff_max_tries() - 1,
            details.get("wait", 0.0),
            REDACTOR.redact(reason),
        )

    # --- output -------------------------------------------------------------------

    def _write_record_message(self, record: dict[str, Any]) -> None:
        """The SDK's record messages, skipping its conformance walk where it would change nothing."""
        unchanged = self._unchanged
        if unchanged is None:
            all_selected = all(self.mask.values())
            check = compile_check(self.effective_schema) if all_selected else None
            unchanged = self._unchanged = check or (lambda _: False)
        if not unchanged(record):
            super()._write_record_message(record)
            return
        write = self._tap.write_message
        for stream_map in self.stream_maps:
            mapped = stream_map.transform(record)
            if mapped is not None:
                write(
                    RecordMessage(
                        stream=stream_map.stream_alias,
                        record=mapped,
                        version=self._stream_version,
                        time_extracted=self._extracted_at,
                    )
                )
        self.state_manager.is_flushed = False

    def _process_record(
        self,
        record: dict[str, Any],
        child_context: Context | None = None,
        partition_context: Context | None = None,
    ) -> None:
        """Nothing to do per record for a stream without child streams or partitions."""
        if self.child_streams or partition_context:
            super()._process_record(record, child_context, partition_context)

    # --- schema -----------------------------------------------------------------

    def _infer_schema(self) -> dict[str, Any]:
        """Fetch the first page (with no state) and infer the record schema from it."""
        self._prepare_run(None)
        paginator = self.get_new_paginator()
        prepared = self._prepare_request(context=None, page=paginator)
        response = self.request_decorator(self._request)(prepared, None)
        self._sample = (prepared.url, prepared.body, response)
        raw = _page(response).raw[:SAMPLE_SIZE]
        schema, parent_fields = record_schema(None, self.spec.content, self.spec.explode, raw)
        object.__setattr__(self, "extractor", Extractor(self.spec.content, self.spec.explode, parent_fields))
        self._run = None
        self._last_request_at = time.monotonic()
        return schema


def _reason(exc: BaseException) -> str:
    """A failed request in a few words (requests' messages nest the URL and the cause)."""
    if isinstance(exc, RetriableAPIError):
        return str(exc)
    if isinstance(exc, requests.Timeout):
        return f"timed out ({type(exc).__name__})"
    request = getattr(exc, "request", None)
    url = f" calling {request.url}" if request is not None and request.url else ""
    cause = re.search(r"\[Errno -?\d+\] ([^'\")]+)", str(exc))
    return f"{type(exc).__name__}{url}" + (f" ({cause.group(1).strip()})" if cause else "")


def _page(response: requests.Response) -> Page:
    page = getattr(response, _PAGE, None)
    return page if isinstance(page, Page) else Page(None, [])


def _url(response: requests.Response) -> str:
    return REDACTOR.redact(response.url or "")


def _render_body(body: Any, values: Mapping[str, Any], extra: Mapping[str, Any]) -> Any:
    if isinstance(body, Template):
        name = body.single
        if name is not None and name in values and not isinstance(values[name], str):
            return values[name]
        return body.render(values, **extra)
    if isinstance(body, dict):
        return {k: _render_body(v, values, extra) for k, v in body.items()}
    if isinstance(body, list):
        return [_render_body(v, values, extra) for v in body]
    return body


def _setting_date(value: Any) -> datetime | None:
    return dates.parse_datetime(str(value)) if value else None


def retry_after(exception: Any) -> float | None:
    """Seconds a 429/503 answer asks to wait: `Retry-After` (seconds or HTTP date) or a JSON hint."""
    response = getattr(exception, "response", None)
    if response is None:
        return None
    header = response.headers.get("Retry-After")
    if header:
        header = header.strip()
        try:
            return max(0.0, float(header))
        except ValueError:
            try:
                when = parsedate_to_datetime(header)
            except (TypeError, ValueError):
                return None
            return max(0.0, (when - datetime.now(timezone.utc)).total_seconds())
    try:
        body = orjson.loads(response.content or b"null")
    except orjson.JSONDecodeError:
        return None
    if isinstance(body, dict):
        for key in ("msBeforeNext", "retryAfterMs", "retry_after_ms"):
            if isinstance(body.get(key), (int, float)):
                return float(body[key]) / 1000
        for key in ("retry_after", "retryAfter"):
            if isinstance(body.get(key), (int, float)):
                return float(body[key])
    return None

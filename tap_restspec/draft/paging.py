"""Pagination guesses that a first page spells out: a next page's URL (the `Link` header, or a member
of the body), a cursor sent back as a query parameter, and the last record's id with a `has_more`
flag. Each guess is `paginationParams` plus the query parameters of the URL it replaces; a guess
is only kept once a trial of it (`trial.py`) saw the API move on.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qsl, urlsplit

from tap_restspec.draft.evidence import Clue, Evidence
from tap_restspec.draft.page import FirstPage
from tap_restspec.draft.records import path_of
from tap_restspec.model.jsonpath import simple_segments

# Query parameters a cursor is sent back in, most common first (Slack, HubSpot, Google, Notion,
# Stripe, Zendesk, Twitter); names the page itself reveals come before these.
CURSOR_PARAMS = (
    "cursor",
    "after",
    "pageToken",
    "page_token",
    "start_cursor",
    "starting_after",
    "page[after]",
    "pagination_token",
    "next",
    "token",
    "continuation",
)
# Query parameters the last record's id is sent back in (Stripe, and APIs like it).
LAST_ID_PARAMS = ("starting_after", "after", "after_id", "since_id", "cursor", "last_id")


@dataclass(frozen=True)
class Guess:
    """A way the API may page: `paginationParams` (None: one request) and what it says in words."""

    says: str  # "POINTER, the next page's URL in the Link header (pointerPath headers.link)"
    params: dict[str, Any] | None
    drop: tuple[str, ...] = ()  # query parameters of the URL the pagination sends itself
    limit_guessed: bool = False  # limitName is a guess the API was not seen to honour
    notes: tuple[str, ...] = field(default_factory=tuple)  # what the user must check

    @property
    def kind(self) -> str:
        """The pagination type."""
        return str((self.params or {}).get("type", "NONE"))

    @property
    def label(self) -> str:
        """The guess in a few words: `POINTER $.next`, `CONTINUATION_TOKEN after=$.cursor`."""
        params = self.params or {}
        detail = {
            "POINTER": params.get("pointerPath"),
            "CONTINUATION_TOKEN": f"{params.get('parameterName')}={params.get('continuationTokenPath')}",
            "OFFSET": params.get("offsetName"),
            "PAGE": params.get("pageParamName"),
        }.get(self.kind)
        return f"{self.kind} {detail}" if detail else self.says


def end_condition(evidence: Evidence) -> dict[str, str]:
    """`endConditionName`/`endConditionValue` from a has-more (or done) flag of the page, if any."""
    if evidence.more is not None:
        return {"endConditionName": evidence.more.path, "endConditionValue": "Const:false"}
    if evidence.done is not None:
        return {"endConditionName": evidence.done.path, "endConditionValue": "Const:true"}
    return {}


def ends(params: dict[str, Any]) -> str:
    """The words for a guess's end condition: `, until $.has_more is false` (empty without one)."""
    name = params.get("endConditionName")
    if not name:
        return ""
    return f", until {name} is {params['endConditionValue'].removeprefix('Const:')}"


def pointer_guesses(first: FirstPage) -> Iterator[Guess]:
    """The Link header's next page, then each next page's URL in the body."""
    evidence = first.evidence
    if evidence.link:
        params = {"type": "POINTER", "pointerPath": "headers.link", **end_condition(evidence)}
        yield Guess(
            f"POINTER, the next page's URL in the Link header (pointerPath headers.link){ends(params)}",
            params,
        )
    for clue in evidence.next_urls:
        params = {"type": "POINTER", "pointerPath": clue.path, **end_condition(evidence)}
        yield Guess(f"POINTER, the next page's URL at {clue.path}{ends(params)}", params)


def cursor_guesses(first: FirstPage) -> Iterator[Guess]:
    """Each cursor of the page, sent back in each query parameter it may go in."""
    for clue in first.evidence.tokens:
        for name in cursor_params(first, clue):
            params = {
                "type": "CONTINUATION_TOKEN",
                "continuationTokenPath": clue.path,
                "parameterType": "QUERYPARAM",
                "parameterName": name,
                **end_condition(first.evidence),
            }
            yield Guess(
                f"CONTINUATION_TOKEN, the cursor at {clue.path} sent as {name}{ends(params)}", params, (name,)
            )


def last_id_guesses(first: FirstPage) -> Iterator[Guess]:
    """The last record's id sent back, when a has-more flag is all the page says of its pagination
    (no next URL, cursor, total, page count or echoed page number, size or offset).
    """
    evidence = first.evidence
    key = first.key
    others = (
        evidence.next_urls,
        evidence.tokens,
        evidence.totals,
        evidence.page_counts,
        evidence.pages,
        evidence.limits,
        evidence.offsets,
    )
    if key is None or evidence.more is None or any(others):
        return
    if simple_segments(f"$.{key}") != (key,):
        return
    path = f"{path_of(first.records_at)}[-1:].{key}"
    for name in _unique([*_revealed(first, None), *_prefixed(first, ("after",)), *LAST_ID_PARAMS]):
        params = {
            "type": "CONTINUATION_TOKEN",
            "continuationTokenPath": path,
            "parameterType": "QUERYPARAM",
            "parameterName": name,
            **end_condition(evidence),
        }
        yield Guess(
            f"CONTINUATION_TOKEN, the last record's {key} ({path}) sent as {name}{ends(params)}",
            params,
            (name,),
        )


def cursor_params(first: FirstPage, clue: Clue) -> list[str]:
    """Where a cursor may be sent back, likeliest first: a name a next URL shows it in, names
    shaped like the URL's own (`pagination.count` -> `pagination.cursor`), names made from the
    cursor's (`nextPageToken` -> `pageToken`), then the common ones.
    """
    own = re.sub(r"(?i)^next[_-]?", "", clue.name)
    own = own[:1].lower() + own[1:]
    own = re.sub(r"(?i)[_-]?cursor$", "", own) if own.lower() != "cursor" else own
    return _unique(
        [*_revealed(first, clue.value), *_prefixed(first, ("cursor", "after", "next")), own, *CURSOR_PARAMS]
    )


def _revealed(first: FirstPage, token: Any) -> list[str]:
    """Query parameters of the page's next URLs that hold `token` (None: any of them)."""
    urls = [first.evidence.link, *(clue.value for clue in first.evidence.next_urls)]
    names = []
    for url in filter(None, urls):
        for name, value in parse_qsl(urlsplit(str(url)).query):
            if token is None or value == str(token):
                names.append(name)
    return names


def _prefixed(first: FirstPage, leaves: tuple[str, ...]) -> list[str]:
    """Names in the style of the URL's own parameters: `pagination.cursor`, `page[after]`."""
    names = []
    for name in first.target.query:
        if "." in name:
            names += [f"{name.rsplit('.', 1)[0]}.{leaf}" for leaf in leaves]
        elif "[" in name and name.endswith("]"):
            names += [f"{name.split('[', 1)[0]}[{leaf}]" for leaf in leaves]
    return names


def _unique(names: list[str]) -> list[str]:
    return [name for name in dict.fromkeys(names) if name]

"""The pagination a draft writes: the guesses in the order the first page points to them, each tried
with the tap's own pass, the first that holds kept.

Order: a next page's URL (the `Link` header, then the body), a cursor, the last record's id with
a has-more flag, then offsets and page numbers found by probes. A guess holds when its pass
starts with the URL's own first page and then moves on to new records, or ends there on the
API's word; it is given up on an error, a page seen before, or a pass that did not move.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from dataclasses import dataclass

from tap_restspec.draft.document import spec_document
from tap_restspec.draft.numbered import numbered_guesses
from tap_restspec.draft.page import FirstPage
from tap_restspec.draft.paging import Guess, cursor_guesses, last_id_guesses, pointer_guesses
from tap_restspec.draft.records import identity
from tap_restspec.draft.trial import Trial, run_trial

TRIAL_PAGES = 3  # the first page and at most two next ones


@dataclass(frozen=True)
class Choice:
    """The pagination chosen, what its trial read, and the guesses given up on the way."""

    guess: Guess
    trial: Trial | None  # None: one request, nothing tried
    given_up: tuple[str, ...] = ()
    more: str | None = None  # with no pagination: why the first page says more records follow


def guesses(first: FirstPage) -> Iterator[Guess]:
    """Every guess, likeliest first; the OFFSET and PAGE ones probe the API when they are reached."""
    return itertools.chain(
        pointer_guesses(first), cursor_guesses(first), last_id_guesses(first), numbered_guesses(first)
    )


def choose(first: FirstPage) -> Choice:
    """The first guess whose trial holds; else one request, saying why if more records follow."""
    given_up: list[str] = []
    for guess in guesses(first):
        if guess.params is None:  # probed, and nothing found
            given_up.append(guess.says)
            continue
        if first.prober.left == 0:
            given_up.append(f"{guess.label} (not tried: the draft's requests were spent)")
            break
        document = spec_document(first.target, first.records_at, guess.params, guess.drop)
        trial = run_trial(document, first.prober, first.target.values, TRIAL_PAGES, first.key)
        problem = trial.problem or _elsewhere(first, trial)
        if problem is None and trial.good:
            return Choice(guess, trial, tuple(given_up))
        given_up.append(f"{guess.label} ({_short(problem or 'no second page was read')})")
    more = first.evidence.more_follow(len(first.records))
    return Choice(Guess("none, one request", None), None, tuple(given_up), more)


def _short(problem: str) -> str:
    """A trial's problem in a few words."""
    if "repeated after" in problem or "same records as the page before" in problem:
        return "the same page came back"
    return problem if len(problem) <= 100 else problem[:99] + "…"


def _elsewhere(first: FirstPage, trial: Trial) -> str | None:
    """Why a trial's first page is not the URL's own first page (it would skip records), or None."""
    if trial.pages and [identity(record, first.key) for record in trial.pages[0]] != first.ids:
        return "its first page is not the URL's first page"
    return None

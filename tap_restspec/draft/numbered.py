"""OFFSET and PAGE guesses, for APIs whose pages say only how many records there are (or echo a page
number): which query parameters move through the records and size a page is found by probes,
the first request again with candidate parameters set.

An OFFSET probe sends `offset=1&limit=s` (s about half the first page): if the answer starts
with the first page's second record the offset is honoured, if it holds s records the limit is.
A PAGE probe sends the second page with `limit=s`: records other than the first page's first
say the page number is honoured, s of them that the limit is. One probe can settle both names;
each answer that does not settles which one to try next.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from tap_restspec.draft.evidence import Clue
from tap_restspec.draft.page import FirstPage
from tap_restspec.draft.paging import Guess, end_condition, ends
from tap_restspec.draft.records import identity, norm

LIMIT_NAMES = ("limit", "per_page", "count", "page_size", "pageSize", "size")
OFFSET_NAMES = ("offset", "skip", "start")
PAGE_NAMES = ("page", "page_number", "pageNumber", "p")
ROUND_SIZES = frozenset({10, 20, 25, 30, 50, 100, 200, 250, 500, 1000})
TRIAL_REQUESTS = 3  # kept for the trial of the names found: its pages 1 to 3

# (first name, limit name) -> whether each was honoured; None: the API refused the probe
Probe = Callable[[str, str | None], tuple[bool, bool] | None]


def numbered_guesses(first: FirstPage) -> Iterator[Guess]:
    """OFFSET and PAGE guesses, the one the page points to first; none without a hint of either.

    A kind whose probes found no parameter the API honours is a guess without `params`, saying so.
    """
    for kind in _kinds(first):
        guess = _offset(first) if kind == "OFFSET" else _page(first)
        what = "offset" if kind == "OFFSET" else "page number"
        yield guess or Guess(f"{kind}: no {what} parameter the draft tried moved through the records", None)


def _kinds(first: FirstPage) -> list[str]:
    evidence, query = first.evidence, {norm(name) for name in first.target.query}
    count = len(first.records)
    if count < 2:
        return []
    if evidence.pages or evidence.page_counts or query & {norm(n) for n in PAGE_NAMES}:
        return ["PAGE", "OFFSET"]
    if evidence.offsets or query & {norm(n) for n in OFFSET_NAMES}:
        return ["OFFSET", "PAGE"]
    if evidence.totals or evidence.limits or count in ROUND_SIZES:
        return ["OFFSET", "PAGE"]
    return []


def _given(first: FirstPage, names: tuple[str, ...]) -> tuple[str, str] | None:
    """A parameter of the URL with one of `names` (any case or punctuation), and its value."""
    wanted = {norm(n) for n in names}
    return next(((k, v) for k, v in first.target.query.items() if norm(k) in wanted), None)


def _candidates(first: FirstPage, names: tuple[str, ...], echoes: tuple[Clue, ...]) -> list[str]:
    """The URL's own parameter of this kind, else the names the page echoes, then the common names."""
    given = _given(first, names)
    if given is not None:
        return [given[0]]
    return list(dict.fromkeys([*(clue.name for clue in echoes), *names]))


def _limits(first: FirstPage) -> tuple[list[str], int | None]:
    """Limit names to try, and the page size the URL asks for (None: the API's default)."""
    given = _given(first, LIMIT_NAMES)
    if given is not None and given[1].isdigit():
        return [given[0]], int(given[1])
    return _candidates(first, LIMIT_NAMES, first.evidence.limits), None


def _size(first: FirstPage, asked: int | None) -> int:
    """The limitValue to write: the size asked, unless the API answered fewer with more to come."""
    count = len(first.records)
    if asked is None or (asked > count and first.evidence.more_follow(count)):
        return count
    return asked


def _search(
    first: FirstPage, firsts: list[str], limits: list[str], probe: Probe
) -> tuple[str | None, str | None]:
    """The first names of `firsts` and `limits` the API honours, probe by probe, within the budget."""
    found_first: str | None = None
    found_limit: str | None = limits[0] if len(limits) == 1 and _given(first, LIMIT_NAMES) else None
    i = j = 0
    while first.prober.left > TRIAL_REQUESTS:
        name = found_first or (firsts[i] if i < len(firsts) else None)
        limit = found_limit or (limits[j] if j < len(limits) else None)
        if name is None:
            return None, None
        answer = probe(name, limit)
        if answer is None:  # refused: blame the limit's name first (the API may not know it)
            if limit is not None and found_limit is None:
                j += 1
            elif found_first is None:
                i += 1
            else:
                break
            continue
        honoured, limited = answer
        if honoured:
            found_first = name
        elif found_first is None:
            i += 1
        if limit is not None and found_limit is None:
            found_limit, j = (limit, j) if limited else (None, j + 1)
        if found_first and (found_limit or j >= len(limits)):
            break
    return found_first, found_limit


def _half(count: int) -> int:
    return max(1, (count - 1) // 2)


def _offset(first: FirstPage) -> Guess | None:
    """OFFSET with the offset and limit names the API honours."""
    ids, small = first.ids, _half(len(first.records))
    limits, asked = _limits(first)

    def probe(name: str, limit: str | None) -> tuple[bool, bool] | None:
        got = first.probe({name: "1", **({limit: str(small)} if limit else {})})
        if got is None:
            return None
        got_ids = [identity(record, first.key) for record in got]
        return bool(got_ids) and got_ids[0] == ids[1], len(got_ids) == small < len(ids) - 1

    name, limit = _search(first, _candidates(first, OFFSET_NAMES, first.evidence.offsets), limits, probe)
    if name is None:
        return None
    size = _size(first, asked)
    params = {
        "type": "OFFSET",
        "limitName": limit or limits[0],
        "limitValue": size,
        "offsetName": name,
        **end_condition(first.evidence),
    }
    says = f"OFFSET, {name} from 0 by the records read, {params['limitName']}={size} a page{ends(params)}"
    return Guess(says, params, (name, str(params["limitName"])), limit_guessed=limit is None)


def _page(first: FirstPage) -> Guess | None:
    """PAGE with the page number and limit names the API honours."""
    ids, small = first.ids, _half(len(first.records))
    limits, asked = _limits(first)
    start, known = _first_index(first)
    from_zero: list[str] = []  # a probe's answer showed pages numbered from 0

    def probe(name: str, limit: str | None) -> tuple[bool, bool] | None:
        got = first.probe({name: str(start + 1), **({limit: str(small)} if limit else {})})
        if got is None:
            return None
        got_ids = [identity(record, first.key) for record in got]
        limited = len(got_ids) == small < len(ids) - 1
        if limited and got_ids[0] == ids[2 * small]:  # page 2 of `small` records was the third
            from_zero.append(name)
        return bool(got_ids) and got_ids[0] != ids[0], limited

    name, limit = _search(first, _candidates(first, PAGE_NAMES, first.evidence.pages), limits, probe)
    if name is None:
        return None
    if not known and name in from_zero:
        start = 0
    size = _size(first, asked)
    params: dict[str, object] = {
        "type": "PAGE",
        "limitName": limit or limits[0],
        "limitValue": size,
        "pageParamName": name,
        "initialPageIndex": start,
    }
    header = next(
        (clue.path for clue in first.evidence.page_counts if clue.path.startswith("headers.")), None
    )
    if header is not None:
        params["endPageIndex"] = header
    params.update(end_condition(first.evidence))
    last = f", the last page from {header}" if header else ""
    says = f"PAGE, {name} from {start}, {params['limitName']}={size} a page{last}{ends(params)}"
    return Guess(says, params, (name, str(params["limitName"])), limit_guessed=limit is None)


def _first_index(first: FirstPage) -> tuple[int, bool]:
    """The first page's number (as the page echoes it, or the URL gives it, else 1), and whether
    it is known (else a probe may show that pages count from 0).
    """
    for clue in first.evidence.pages:
        if clue.value in (0, 1):
            return int(clue.value), True
    given = _given(first, PAGE_NAMES)
    if given is not None and given[1] in ("0", "1"):
        return int(given[1]), True
    return 1, False

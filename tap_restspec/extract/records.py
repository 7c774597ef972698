"""Records from a response body: contentPath, keep/skip and explode (pure, no HTTP)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from tap_restspec.model.jsonpath import compile_path, simple_segments
from tap_restspec.model.spec import Selection


class BodyError(ValueError):
    """A body that does not hold records where the spec says they are."""


def matched_records(found: list[Any]) -> list[Any] | None:
    """One array matched: its elements; several values (a wildcard): each value; null: nothing."""
    if len(found) == 1:
        only = found[0]
        if isinstance(only, list):
            return only
        if only is None:
            return None
        if not isinstance(only, dict):
            kind = (
                "boolean"
                if isinstance(only, bool)
                else "number"
                if isinstance(only, (int, float))
                else "string"
            )
            raise BodyError(f"matched a {kind}, not an array or object of records")
        return [only]
    return found


@dataclass(frozen=True)
class Extractor:
    """Turns a parsed body into flat records, as a spec's contentPath and explode say."""

    content: Selection
    explode: Selection | None = None
    parent_fields: frozenset[str] = frozenset()

    def raw_records(self, body: Any) -> list[Any] | None:
        """The records the content path matched (before keep, skip and explode); None: it matched nothing.

        Raises BodyError when it matched a number, string or boolean.
        """
        found = compile_path(self.content.path)(body)
        if found is None:
            return None
        try:
            return matched_records(found)
        except BodyError as exc:
            raise BodyError(f"contentPath {self.content.path!r} {exc}") from None

    def page(self, raw: list[Any]) -> list[dict[str, Any]]:
        """`records(raw)` as a list; a page of plain objects, kept whole, is that list as it is."""
        whole = self.explode is None and self.content.keep is None and not self.content.skip
        if whole and set(map(type, raw)) <= {dict}:
            return list(raw)
        return list(self.records(raw))

    def records(self, raw: Iterable[Any]) -> Iterator[dict[str, Any]]:
        """Flat records from raw matches: keep, skip, then explode."""
        content, explode = self.content, self.explode
        keep = content.keep
        skip = content.skip
        if explode is None:
            for item in raw:
                if item is None:
                    continue
                record = item if type(item) is dict else {"value": item}
                if keep is not None:
                    record = {k: record[k] for k in keep if k in record}
                if skip:
                    record = {k: v for k, v in record.items() if k not in skip}
                yield record
            return
        child_path = explode_segments(content, explode)
        for item in raw:
            if not isinstance(item, dict):
                continue
            children = _dig(item, child_path)
            parent = _without(item, child_path)
            if keep is not None:
                parent = {k: parent[k] for k in keep if k in parent}
            parent = {k: v for k, v in parent.items() if k not in skip}
            if not isinstance(children, list):
                continue
            for child in children:
                yield self._merge(parent, child)

    def _merge(self, parent: Mapping[str, Any], child: Any) -> dict[str, Any]:
        explode = self.explode
        assert explode is not None
        wrapper = explode.wrapper or "child"
        if not isinstance(child, dict):
            child = {wrapper: child}
        if explode.keep is not None:
            child = {k: child[k] for k in explode.keep if k in child}
        record = dict(parent)
        taken = self.parent_fields
        for key, value in child.items():
            if key in explode.skip:
                continue
            name = key
            while name in parent or name in taken:
                name = f"{wrapper}_{name}"
            record[name] = value
        return record


def explode_segments(content: Selection, explode: Selection) -> tuple[str, ...]:
    """The member names of the sub-array inside one record: `$.email.activity` -> ('activity',)."""
    segments = simple_segments(explode.path) or ()
    return segments[1:] if segments and segments[0] == content.wrapper else segments


def _dig(item: Any, segments: tuple[str, ...]) -> Any:
    node = item
    for name in segments:
        if not isinstance(node, dict):
            return None
        node = node.get(name)
    return node


def _without(item: dict[str, Any], segments: tuple[str, ...]) -> dict[str, Any]:
    """A copy of `item` without the value at `segments` (copies only along the path)."""
    if not segments:
        return dict(item)
    head, rest = segments[0], segments[1:]
    copy = dict(item)
    if not rest:
        copy.pop(head, None)
    elif isinstance(copy.get(head), dict):
        copy[head] = _without(copy[head], rest)
    return copy


def body_keys(body: Any) -> str:
    """The top-level keys of a body, for a message."""
    return ", ".join(sorted(map(str, body))[:20]) if isinstance(body, dict) else type(body).__name__

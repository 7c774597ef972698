"""Parent records handed to child streams: each child's values from a parent record, and one child
pass per distinct context that runs in this process (`share.py`), queued on the scheduler or
(under the SDK's own `sync()`) run at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from singer_sdk.exceptions import AbortedSyncFailedException, AbortedSyncPausedException

from tap_restspec.config.shard import context_digest
from tap_restspec.model.jsonpath import first_value
from tap_restspec.sync.host import UnitHost
from tap_restspec.sync.share import runs_here


def child_context(child: UnitHost, record: Mapping[str, Any]) -> dict[str, Any] | None:
    """The child's values from a parent record (None when a JSONPath matches nothing)."""
    parent = child.plan.spec.parent
    assert parent is not None
    context: dict[str, Any] = {}
    for name, path in parent.values:
        value = first_value(path, record)
        if value is None or value == "" or isinstance(value, (dict, list)):
            return None
        context[name] = value
    return context


def child_contexts(child: UnitHost, records: Iterable[Mapping[str, Any]]) -> Iterator[dict[str, Any]]:
    """The contexts of the child passes for `records`, in order (with repeats), whatever the shard."""
    binding = child.plan.binding
    for record in records:
        values = child_context(child, record)
        if values is not None:
            for partition in binding.partitions if binding.partitioned else ({},):
                yield {**partition, **values}


def offer_children(stream: UnitHost, record: Mapping[str, Any]) -> None:
    """Hand a parent record to each child stream that will run (one pass per distinct context).

    With a scheduler, the passes are queued (`TapRun.submit`); without one (the SDK's own
    `sync()` of a parent, as its test harness does), they run at once, as the SDK runs children.
    """
    run = stream.run
    for child in stream.children:
        if not (child.selected or child.has_selected_descendents):
            continue
        values = child_context(child, record)
        spec = child.plan.spec
        if values is None:
            paths = ", ".join(p for _, p in spec.parent.values) if spec.parent else ""
            run.warn_once(
                f"child:{spec.name}",
                f"Stream {spec.name}: a {stream.plan.name} record has no value at {paths}; "
                "no child pass for it (and others like it)",
            )
            continue
        seen = run.seen_children.setdefault(spec.name, set())
        for partition in child.plan.binding.partitions if child.plan.binding.partitioned else ({},):
            context = {**partition, **values}
            if not runs_here(child, context):
                continue  # another shard's
            # The context's 64-bit stable hash, not the context: 8 bytes a pass, however many
            # (two contexts share one with odds of about n^2 / 2^65: 1e-11 for 20,000 passes).
            key = context_digest(context)
            if key in seen:
                continue
            seen.add(key)
            submit = run.shared.submit
            if submit is not None:
                submit(child, context)
            else:
                with contextlib.suppress(AbortedSyncFailedException, AbortedSyncPausedException):
                    child.sync(context)

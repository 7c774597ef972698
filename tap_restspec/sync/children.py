"""Parent records handed to child streams: each child's values from a parent record, and one child
pass per distinct context, queued on the scheduler or (under the SDK's own `sync()`) run at once.
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any

from singer_sdk.exceptions import AbortedSyncFailedException, AbortedSyncPausedException

from tap_restspec.model.jsonpath import first_value
from tap_restspec.sync.host import UnitHost


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
        for partition in child.plan.binding.partitions if child.plan.binding.partitioned else ({},):
            context = {**partition, **values}
            key = tuple(sorted((k, str(v)) for k, v in context.items()))
            seen = run.seen_children.setdefault(spec.name, set())
            if key in seen:
                continue
            seen.add(key)
            submit = run.shared.submit
            if submit is not None:
                submit(child, context)
            else:
                with contextlib.suppress(AbortedSyncFailedException, AbortedSyncPausedException):
                    child.sync(context)

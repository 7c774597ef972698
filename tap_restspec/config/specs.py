"""The spec files the `specs` setting names, read, parsed and bound to the settings: every
problem in every spec at once (`SpecError`), before any request; and a WARNING for each spec
file that appeared or disappeared since the input catalog was made.
"""

from __future__ import annotations

import glob
import logging
from pathlib import Path
from typing import Any

from tap_restspec.config.binding import Binding, bind
from tap_restspec.config.settings import Settings
from tap_restspec.errors import SettingsError, SpecError
from tap_restspec.model.spec import StreamSpec
from tap_restspec.parse.document import read_spec

LOGGER = logging.getLogger("tap-restspec")


def bound_specs(settings: Settings) -> list[Binding]:
    """One binding per spec file; every problem in every spec is reported at once (`SpecError`)."""
    problems: list[str] = []
    specs: list[StreamSpec] = []
    for path, display in resolve_specs(settings.specs):
        spec, lines = read_spec(path, display)
        problems.extend(lines)
        if spec is not None:
            specs.append(spec)
    problems.extend(duplicate_names(specs))
    bindings = []
    for spec in specs:
        binding, lines = bind(spec, settings)
        problems.extend(lines)
        if binding is not None:
            bindings.append(binding)
    problems.extend(family_problems(specs))
    if problems:
        raise SpecError(problems)
    return bindings


def resolve_specs(entries: tuple[str, ...]) -> list[tuple[Path, str]]:
    """Files, directories (every *.json inside) and glob patterns, in a stable order."""
    found: list[tuple[Path, str]] = []
    missing: list[str] = []
    for entry in entries:
        path = Path(entry)
        if path.is_dir():
            matches = sorted(str(p) for p in path.glob("*.json"))
        elif path.is_file():
            matches = [entry]
        else:
            matches = sorted(glob.glob(entry, recursive=True))
        if not matches:
            missing.append(f"config: specs: {entry!r} matches no file")
        found.extend((Path(m), m) for m in matches)
    if missing:
        raise SettingsError(missing)
    return list(dict.fromkeys(found))


def duplicate_names(specs: list[StreamSpec]) -> list[str]:
    """Two specs may not make streams of the same name."""
    seen: dict[str, str] = {}
    lines = []
    for spec in specs:
        if spec.name in seen:
            lines.append(f"{spec.file}: singer.name: stream {spec.name!r} is also made by {seen[spec.name]}")
        seen.setdefault(spec.name, spec.file)
    return lines


def family_problems(specs: list[StreamSpec]) -> list[str]:
    """A child whose parent is not among the specs, or a cycle of parents."""
    by_name = {s.name: s for s in specs}
    lines = []
    for spec in specs:
        if spec.parent is None:
            continue
        if spec.parent.stream not in by_name:
            lines.append(
                f"{spec.file}: singer.parent.stream: {spec.parent.stream!r} is not among the specs "
                f"(streams: {', '.join(sorted(by_name))})"
            )
            continue
        seen, node = [spec.name], by_name.get(spec.parent.stream)
        while node is not None:
            if node.name in seen:
                lines.append(
                    f"{spec.file}: singer.parent: a cycle of parents: {' -> '.join([*seen, node.name])}"
                )
                break
            seen.append(node.name)
            node = by_name.get(node.parent.stream) if node.parent else None
    return lines


def warn_catalog_drift(catalog: Any, specs: list[StreamSpec]) -> None:
    """Spec files that appeared or disappeared since the catalog was made are never silent."""
    in_catalog = {entry.tap_stream_id for entry in catalog.streams}
    for spec in specs:
        if spec.name not in in_catalog:
            LOGGER.warning(
                "Stream %s (%s) is not in the input catalog, so it is not synced; run "
                "`meltano run --refresh-catalog tap-restspec ...` (or --discover) to add it",
                spec.name,
                spec.file,
            )
    made = {s.name for s in specs}
    for name in sorted(in_catalog - made):
        LOGGER.warning(
            "Stream %s is in the input catalog but no spec file makes it any more; run "
            "`meltano run --refresh-catalog tap-restspec ...` (or --discover) to drop it",
            name,
        )

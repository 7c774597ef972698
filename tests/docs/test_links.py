"""Every relative link in the user's documents points at a file of the repository.

The documents: README.md, docs/*.md, specs/README.md, bench/README.md and, once it exists,
CONTRIBUTING.md. A link is `[text](target)` or a reference definition `[name]: target`;
web and mail links are not followed. A relative target must be a file or directory inside
the repository (not `../shared/...`), and a `#fragment` into a Markdown file must name one of
its headings as GitHub makes anchors of them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DOCUMENTS = ("README.md", "docs/*.md", "specs/README.md", "bench/README.md", "CONTRIBUTING.md")
INLINE = re.compile(r"\[(?:[^\[\]]|\[[^\[\]]*\])*\]\(\s*<?([^)\s>]+)>?(?:\s+\"[^\"]*\")?\s*\)")
DEFINITION = re.compile(r"^\s{0,3}\[[^\]]+\]:\s*<?(\S+?)>?(?:\s|$)", re.MULTILINE)
FENCE = re.compile(r"^(```|~~~).*?^\1", re.MULTILINE | re.DOTALL)
EXTERNAL = re.compile(r"^[a-z][a-z0-9+.-]*:", re.IGNORECASE)  # https:, mailto:, ...


def documents() -> list[Path]:
    found = {path for pattern in DOCUMENTS for path in ROOT.glob(pattern)}
    return sorted(found)


def links(text: str) -> list[str]:
    """The link targets of a Markdown text, outside fenced code and inline code."""
    text = FENCE.sub("", text)
    text = re.sub(r"`[^`\n]*`", "``", text)
    return INLINE.findall(text) + DEFINITION.findall(text)


def anchor(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces to hyphens."""
    text = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", heading)  # a link: its text
    text = re.sub(r"[`*]", "", text).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(path: Path) -> set[str]:
    """Every heading's anchor in a Markdown file (a repeated heading gets -1, -2, ...)."""
    seen: dict[str, int] = {}
    result = set()
    for line in FENCE.sub("", path.read_text()).splitlines():
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if not heading:
            continue
        slug = anchor(heading.group(1))
        count = seen.get(slug, 0)
        seen[slug] = count + 1
        result.add(slug if count == 0 else f"{slug}-{count}")
    return result


def problem(document: Path, target: str) -> str | None:
    """Why a link target of `document` is broken, or None."""
    if EXTERNAL.match(target):
        return None
    path_part, _, fragment = target.partition("#")
    destination = (document.parent / path_part).resolve() if path_part else document
    where = f"{document.relative_to(ROOT)}: ({target})"
    if not destination.is_relative_to(ROOT):
        return f"{where} points outside the repository"
    if not destination.exists():
        return f"{where}: no such file"
    if fragment and destination.suffix == ".md" and fragment not in anchors(destination):
        return f"{where}: {destination.relative_to(ROOT)} has no heading #{fragment}"
    return None


def test_the_documents_are_found() -> None:
    names = {str(path.relative_to(ROOT)) for path in documents()}
    expected = {"README.md", "docs/settings.md", "docs/spec-format.md", "specs/README.md", "bench/README.md"}
    assert expected <= names


@pytest.mark.parametrize("document", documents(), ids=lambda path: str(path.relative_to(ROOT)))
def test_relative_links_point_at_files(document: Path) -> None:
    broken = [p for target in links(document.read_text()) if (p := problem(document, target))]
    assert not broken, "\n".join(broken)


def test_a_broken_link_is_found(tmp_path: Path) -> None:
    """The check itself: a missing file, a link out of the repository, a missing heading."""
    text = "[a](docs/nowhere.md) [b](../outside.md) [c](README.md#no-such-heading) [d](https://x.y/z)"
    broken = [p for target in links(text) if (p := problem(ROOT / "README.md", target))]
    assert len(broken) == 3, broken
    assert anchor("ACTIVATE_VERSION: deletions in the target") == "activate_version-deletions-in-the-target"
    assert anchor("`--test` and **`--discover`**") == "--test-and---discover"

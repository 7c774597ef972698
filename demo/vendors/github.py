"""GitHub REST API ``GET /repos/{owner}/{repo}/issues``: one repository's issues and pull requests.

List repository issues (https://docs.github.com/en/rest/issues/issues#list-repository-issues):
``state`` (``open``, the default, ``closed`` or ``all``), ``sort`` (``created``, the default,
``updated`` or ``comments``), ``direction`` (``desc``, the default, or ``asc``), ``since``
("only show results that were last updated after the given time", ISO 8601
``YYYY-MM-DDTHH:MM:SSZ``; at or after it, as GitHub's own older reference words it),
``per_page`` (30 by default, at most 100) and ``page`` (from 1). The body is a bare JSON array.
"GitHub's REST API considers every pull request an issue": a pull request comes with a
``pull_request`` key, and its ``id`` is an issue id.

Pages are linked by a ``Link`` header (https://docs.github.com/en/rest/using-the-rest-api/using-pagination-in-the-rest-api):
``rel="next"`` and ``rel="last"`` while more pages follow, ``rel="prev"`` and ``rel="first"``
after the first; the links point at ``/repositories/{id}/issues``, the repository's id, as
GitHub's do. Authentication: ``Authorization: Bearer <token>`` (the repository is private);
errors are ``{"message", "documentation_url", "status"}``.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from demo.core.messages import ApiError, Request
from demo.data.store import Dataset, Row
from demo.data.times import epoch, fmt_z
from demo.data.words import FIRST, LAST
from demo.rest.checks import int_param
from demo.rest.endpoint import Endpoint
from demo.rest.errors import ErrorShapes
from demo.rest.paging import Page, WindowParam
from demo.rest.vendor import Option, Vendor

DOCS = "https://docs.github.com/rest/issues/issues#list-repository-issues"
REPO_ID = 1296269
STATES = ("open", "closed", "all")
SORTS = {
    "created": lambda r: (epoch(r["created_at"]), r["id"]),
    "updated": lambda r: (epoch(r["updated_at"]), r["id"]),
    "comments": lambda r: (r["comments"], r["id"]),
}
TITLES = (
    "Crash when the config file is empty",
    "Add a dark theme",
    "Docs: the install page is out of date",
    "Timeout on large uploads",
    "Support Python 3.13",
    "Flaky test in the CI matrix",
    "Typo in the README",
    "Allow a custom user agent",
)
LABELS = (
    ("bug", "d73a4a", "Something isn't working"),
    ("enhancement", "a2eeef", "New feature or request"),
    ("documentation", "0075ca", "Improvements or additions to documentation"),
    ("good first issue", "7057ff", "Good for newcomers"),
)


@dataclass(frozen=True)
class PerPage:
    """``per_page`` (30 by default; more than 100 answers 100, as GitHub does) and ``page`` from 1."""

    default: int = 30
    hi: int = 100

    def read(self, request: Request, errors: ErrorShapes) -> tuple[int, int]:
        size = int_param(request, "per_page", errors.invalid, default=self.default)
        size = self.default if size < 1 else min(size, self.hi)
        return size, int_param(request, "page", errors.invalid, default=1, lo=1)

    def cut(self, rows: list[Row], params: tuple[int, int]) -> Page:
        size, number = params
        pages = (len(rows) + size - 1) // size
        start = (number - 1) * size
        return Page(
            rows[start : start + size], len(rows), offset=start, limit=size, number=number, pages=pages
        )


class GitHub(Vendor):
    """GitHub: one repository's issues (pull requests among them)."""

    name = "github"
    prefix = "/repo"  # /repos/{owner}/{repo}/... and /repositories/{id}/...
    datasets = (Dataset("github_issues", change_key="updated_at", size="issues"),)
    options = (
        Option("issues", 250),
        Option("owner", "octo-org", flag=False),
        Option("repo", "octo-repo", flag=False),
    )

    # ---------------------------------------------------------------- error shapes

    def error(self, status: int, message: str, **extra: Any) -> ApiError:
        return ApiError(
            status, {"message": message, **extra, "documentation_url": DOCS, "status": str(status)}
        )

    def invalid(self, name: str, message: str) -> ApiError:
        return self.error(
            422, "Validation Failed", errors=[{"resource": "Issue", "field": name, "code": "invalid"}]
        )

    def unauthorized(self, missing: bool) -> ApiError:
        return self.error(401, "Requires authentication" if missing else "Bad credentials")

    def not_found(self, path: str) -> ApiError:
        return self.error(404, "Not Found")

    # ---------------------------------------------------------------- records

    def make(self, dataset: str, rng: random.Random, n: int, created: datetime, changed: datetime) -> Row:
        number = n + 1
        login = f"{rng.choice(FIRST)}-{rng.choice(LAST)}".lower()
        issue_id = 1800000000 + n * 7
        base = f"https://api.github.com/repos/{self.settings['owner']}/{self.settings['repo']}"
        html = f"https://github.com/{self.settings['owner']}/{self.settings['repo']}"
        closed = rng.random() < 0.4
        row: Row = {
            "url": f"{base}/issues/{number}",
            "repository_url": base,
            "labels_url": f"{base}/issues/{number}/labels{{/name}}",
            "comments_url": f"{base}/issues/{number}/comments",
            "events_url": f"{base}/issues/{number}/events",
            "html_url": f"{html}/issues/{number}",
            "id": issue_id,
            "node_id": f"I_kwDOAE{issue_id:x}",
            "number": number,
            "title": rng.choice(TITLES),
            "user": self._user(login, 1000 + n),
            "labels": [self._label(*label) for label in rng.sample(LABELS, rng.randint(0, 2))],
            "state": "closed" if closed else "open",
            "locked": False,
            "assignee": None,
            "assignees": [],
            "milestone": None,
            "comments": rng.randint(0, 12),
            "created_at": fmt_z(created),
            "updated_at": fmt_z(changed),
            "closed_at": fmt_z(changed) if closed else None,
            "author_association": rng.choice(["OWNER", "MEMBER", "CONTRIBUTOR", "NONE"]),
            "active_lock_reason": None,
            "body": "Steps to reproduce:\n1. ...\n2. ..." if rng.random() < 0.8 else None,
            "state_reason": "completed" if closed else None,
        }
        if rng.random() < 0.5:
            assignee = self._user(f"{rng.choice(FIRST)}-{rng.choice(LAST)}".lower(), 9000 + n)
            row["assignee"], row["assignees"] = assignee, [assignee]
        if rng.random() < 0.2:  # a pull request: the same list, with a pull_request key
            row["pull_request"] = {
                "url": f"{base}/pulls/{number}",
                "html_url": f"{html}/pull/{number}",
                "diff_url": f"{html}/pull/{number}.diff",
                "patch_url": f"{html}/pull/{number}.patch",
                "merged_at": fmt_z(changed) if closed else None,
            }
        return row

    def touch(self, dataset: str, row: Row, rng: random.Random, moment: datetime) -> None:
        row["updated_at"] = fmt_z(moment)
        row["comments"] += 1
        if row["state"] == "open" and rng.random() < 0.5:
            row["state"], row["closed_at"], row["state_reason"] = "closed", fmt_z(moment), "completed"

    @staticmethod
    def _user(login: str, user_id: int) -> dict[str, Any]:
        return {
            "login": login,
            "id": user_id,
            "node_id": f"U_kgDO{user_id:x}",
            "avatar_url": f"https://avatars.githubusercontent.com/u/{user_id}?v=4",
            "url": f"https://api.github.com/users/{login}",
            "html_url": f"https://github.com/{login}",
            "type": "User",
            "site_admin": False,
        }

    @staticmethod
    def _label(name: str, color: str, description: str) -> dict[str, Any]:
        return {
            "id": 208045946 + len(name),
            "name": name,
            "color": color,
            "default": True,
            "description": description,
        }

    # ---------------------------------------------------------------- answers

    def params(self) -> dict[str, Any]:
        return {"owner": self.settings["owner"], "repo": self.settings["repo"]}

    def endpoints(self) -> tuple[Endpoint, ...]:
        common: dict[str, Any] = {
            "dataset": "github_issues",
            "paging": PerPage(),
            "window": (WindowParam("since", "updated_at", ">="),),
            "select": self.select,
            "envelope": lambda request, page, arg: page.rows,  # a bare array
            "headers": self.link,
        }
        owner, repo = self.settings["owner"], self.settings["repo"]
        return (
            Endpoint("GET", rf"/repos/{owner}/{repo}/issues", self, "bearer", **common),
            Endpoint("GET", rf"/repositories/{REPO_ID}/issues", self, "bearer", **common),
        )

    def select(self, request: Request, rows: list[Row]) -> list[Row]:
        """``state``, ``sort`` and ``direction``."""
        state = request.q("state") or "open"
        sort = request.q("sort") or "created"
        direction = request.q("direction") or "desc"
        for name, value, allowed in (
            ("state", state, STATES),
            ("sort", sort, tuple(SORTS)),
            ("direction", direction, ("asc", "desc")),
        ):
            if value not in allowed:
                raise self.invalid(name, f"{name} must be one of {', '.join(allowed)}")
        kept = [r for r in rows if state == "all" or r["state"] == state]
        return sorted(kept, key=SORTS[sort], reverse=direction == "desc")

    def link(self, request: Request, page: Page, _arg: str | None) -> dict[str, str]:
        """The ``Link`` header: next and last while more pages follow, prev and first after page 1."""
        kept = request.kept("page")

        def url(number: int) -> str:
            return request.link(f"/repositories/{REPO_ID}/issues", [*kept, ("page", str(number))])

        links = []
        if page.number < page.pages:
            links += [f'<{url(page.number + 1)}>; rel="next"', f'<{url(page.pages)}>; rel="last"']
        if page.number > 1:
            links += [f'<{url(page.number - 1)}>; rel="prev"', f'<{url(1)}>; rel="first"']
        return {"Link": ", ".join(links)} if links else {}

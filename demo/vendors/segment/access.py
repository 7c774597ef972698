"""Who works in a Segment workspace (users, invites, groups, roles, labels) and its Engage
spaces with their audiences, drawn by the catalog's generator (``catalog.generate``)."""

from __future__ import annotations

import random
from typing import Any, Protocol

from demo.vendors.segment.words import LABELS, ROLES, b62


class Draw(Protocol):
    """The catalog's generator: its random source, the data, and small helpers."""

    rng: random.Random
    data: dict[str, list[Any]]
    workspace_id: str

    def moment(self, days: float = 30) -> str: ...

    def person(self, n: int) -> tuple[str, str]: ...


def permission(workspace_id: str, role: tuple[str, str, str]) -> dict[str, Any]:
    """A role on the whole workspace."""
    resource = {"id": workspace_id, "type": "WORKSPACE"}
    return {"roleName": role[1], "roleId": role[0], "resources": [resource]}


def people(draw: Draw, users: int, invites: int, groups: int) -> None:
    """Users with a role each, invites (emails), groups of users with a role, roles, labels."""
    rows = []
    for n in range(users):
        name, email = draw.person(n)
        role = draw.rng.choice(ROLES)
        rows.append(
            {
                "id": b62(draw.rng, 27),
                "name": name,
                "email": email,
                "permissions": [permission(draw.workspace_id, role)],
            }
        )
    draw.data["segment_users"] = rows
    draw.data["segment_invites"] = [draw.person(1000 + n)[1] for n in range(invites)]
    teams, members = [], []
    for n in range(groups):
        group_id = b62(draw.rng, 27)
        chosen = draw.rng.sample(rows, min(len(rows), draw.rng.randint(1, 8)))
        members += [{"userGroupId": group_id, "userId": user["id"]} for user in chosen]
        permissions = [permission(draw.workspace_id, ROLES[2 + n % (len(ROLES) - 2)])]
        teams.append(
            {
                "memberCount": len(chosen),
                "permissions": permissions,
                "id": group_id,
                "name": f"Team {n + 1}",
            }
        )
    draw.data["segment_groups"], draw.data["segment_group_members"] = teams, members
    draw.data["segment_roles"] = [{"id": i, "name": n, "description": d} for i, n, d in ROLES]
    draw.data["segment_labels"] = [{"key": k, "value": v, "description": d} for k, v, d in LABELS]


def spaces(draw: Draw, total: int) -> None:
    """Engage spaces, with two to five audiences each."""
    spaces, audiences = [], []
    for n in range(total):
        space = {"id": "spa_" + b62(draw.rng, 22), "slug": f"space-{n + 1}", "name": f"Space {n + 1}"}
        spaces.append(space)
        for k in range(draw.rng.randint(2, 5)):
            created = draw.moment()
            audiences.append(
                {
                    "computeCadence": {"type": draw.rng.choice(("BATCH", "REALTIME"))},
                    "size": {"type": "USERS", "count": draw.rng.randint(10, 50000)},
                    "id": "aud_" + b62(draw.rng, 24),
                    "spaceId": space["id"],
                    "name": f"Audience {n + 1}.{k + 1}",
                    "description": "Users who bought twice in 30 days.",
                    "key": f"audience_{n + 1}_{k + 1}",
                    "enabled": True,
                    "definition": {"query": "event('Order Completed').count() >= 2 within 30 days"},
                    "status": "Live",
                    "createdBy": b62(draw.rng, 27),
                    "updatedBy": b62(draw.rng, 27),
                    "createdAt": created,
                    "updatedAt": created,
                    "audienceType": "USERS",
                }
            )
    draw.data["segment_spaces"], draw.data["segment_space_audiences"] = spaces, audiences

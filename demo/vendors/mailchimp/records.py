"""The records of the first list and the first campaign: members, and emails with their
activity (opens, clicks, bounces), shaped as Mailchimp's Marketing API documents them.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from typing import Any, Protocol

from demo.data.store import Row
from demo.data.times import fmt_offset
from demo.data.words import TIMEZONES, person


class Ids(Protocol):
    """The account values records refer to."""

    @property
    def list_id(self) -> str: ...

    @property
    def campaign_id(self) -> str: ...

    @property
    def dc(self) -> str: ...


def md5(text: str) -> str:
    """Mailchimp's member id: the MD5 of the lowercased email (and other hex ids)."""
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def member(rng: random.Random, n: int, created: datetime, changed: datetime, ids: Ids) -> Row:
    """The ``n``-th member of the first list (List members: Get member info)."""
    first, last, email = person(rng, n)
    member_id = md5(email)
    status = rng.choices(["subscribed", "unsubscribed", "cleaned", "pending"], weights=[75, 15, 5, 5])[0]
    _, iana = rng.choice(TIMEZONES)
    tags = rng.sample(
        [(101, "customer"), (102, "newsletter"), (103, "vip"), (104, "beta")], rng.randint(0, 2)
    )
    return {
        "id": member_id,
        "email_address": email,
        "unique_email_id": md5(email + ":u")[:10],
        "contact_id": md5(email + ":c"),
        "full_name": f"{first} {last}",
        "web_id": 100000000 + n * 13,
        "email_type": "html",
        "status": status,
        "consents_to_one_to_one_messaging": True,
        "merge_fields": {
            "FNAME": first,
            "LNAME": last,
            "ADDRESS": "",
            "PHONE": "",
            "BIRTHDAY": "",
        },
        "stats": {
            "avg_open_rate": round(rng.random(), 2),
            "avg_click_rate": round(rng.random() / 3, 2),
        },
        "ip_signup": "",
        "timestamp_signup": "",
        "ip_opt": f"198.51.100.{rng.randint(1, 254)}",
        "timestamp_opt": fmt_offset(created),
        "member_rating": rng.randint(1, 5),
        "last_changed": fmt_offset(changed),
        "language": rng.choice(["en", "it", "fr", "de"]),
        "vip": rng.random() < 0.05,
        "email_client": rng.choice(["Gmail", "Apple Mail", "Outlook", ""]),
        "location": {
            "latitude": round(rng.uniform(-60, 70), 4),
            "longitude": round(rng.uniform(-180, 180), 4),
            "gmtoff": 0,
            "dstoff": 0,
            "country_code": rng.choice(["US", "IT", "GB", "JP"]),
            "timezone": iana,
            "region": "",
        },
        "source": rng.choice(["API - Generic", "Hosted Signup Form", "Import"]),
        "tags_count": len(tags),
        "tags": [{"id": tid, "name": tname} for tid, tname in tags],
        "list_id": ids.list_id,
        "_links": [
            {
                "rel": "self",
                "href": f"https://{ids.dc}.api.mailchimp.com/3.0/lists/{ids.list_id}/members/{member_id}",
                "method": "GET",
                "targetSchema": "https://us21.api.mailchimp.com/schema/3.0/Definitions/Lists/Members/Response.json",
            }
        ],
    }


def activity(rng: random.Random, moment: datetime) -> Row:
    """One open, click or bounce at ``moment``."""
    action = rng.choices(["open", "click", "bounce"], weights=[70, 25, 5])[0]
    item: dict[str, Any] = {"action": action, "timestamp": fmt_offset(moment)}
    if action == "bounce":
        item["type"] = rng.choice(["hard", "soft"])
    if action == "click":
        item["url"] = f"https://www.example.com/offer/{rng.randint(1, 9)}"
    item["ip"] = f"203.0.113.{rng.randint(1, 254)}"
    return item


def report_email(rng: random.Random, n: int, created: datetime, changed: datetime, ids: Ids) -> Row:
    """The ``n``-th email of the first campaign's report, with its activity between the moments."""
    _, _, email = person(rng, n, tag="r")
    count = rng.choices([0, 1, 2, 3, 4], weights=[15, 40, 25, 12, 8])[0]
    span = max((changed - created).total_seconds(), 1)
    offsets = sorted(int(rng.random() * span) for _ in range(count))
    # one email's activities are at distinct seconds: (email_id, action, timestamp) is unique
    moments = [created + timedelta(seconds=s + i) for i, s in enumerate(offsets)]
    email_id = md5(email)
    return {
        "campaign_id": ids.campaign_id,
        "list_id": ids.list_id,
        "list_is_active": True,
        "email_id": email_id,
        "email_address": email,
        "activity": [activity(rng, m) for m in moments],
        "_links": [
            {
                "rel": "self",
                "href": f"https://{ids.dc}.api.mailchimp.com/3.0/reports/{ids.campaign_id}/email-activity/{email_id}",
                "method": "GET",
            }
        ],
    }


def touch_member(row: Row, rng: random.Random, moment: datetime) -> None:
    """An update: the status flips, the open rate changes."""
    row["last_changed"] = fmt_offset(moment)
    row["status"] = "unsubscribed" if row["status"] == "subscribed" else "subscribed"
    row["stats"]["avg_open_rate"] = round(rng.random(), 2)


def touch_email(row: Row, rng: random.Random, moment: datetime) -> None:
    """An update: one more activity at ``moment`` (unless the email has each kind at that second)."""
    seen = {(a["action"], a["timestamp"]) for a in row["activity"]}
    new = activity(rng, moment)
    for action in ("open", "click", "bounce"):
        if (new["action"], new["timestamp"]) not in seen:
            break
        new = {**new, "action": action}
    if (new["action"], new["timestamp"]) not in seen:
        row["activity"].append(new)

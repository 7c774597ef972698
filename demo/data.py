"""Deterministic synthetic records, shaped like each API's documented objects.

``Maker(settings, data).make(dataset, rng, created, changed)`` builds the next record of one
of the ``TICKED`` datasets (the ones ``tick`` changes); ``demo.mailchimp_data`` and
``demo.segment_catalog`` build the rest around them. The same seed gives the same records
(``store.Store`` drives it).
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from typing import Any, Protocol

from demo import mailchimp_data, segment_catalog
from demo.times import fmt_ms, fmt_offset, fmt_z
from demo.words import AUDIT_TYPES, B62, DOMAINS, FIRST, LAST, SOURCE_KINDS, SUBJECTS, TIMEZONES

#: The datasets that ``tick`` changes, generated first and in this order.
TICKED: tuple[str, ...] = (
    "mailchimp_members",
    "mailchimp_email_activity",
    "zendesk_users",
    "segment_sources",
    "segment_audit_events",
    "hubspot_contacts",
    "helpscout_conversations",
)
#: Every dataset: the ticked ones, then the ones built around them (they never change by
#: themselves; ``Store.delete`` removes records).
DATASETS: tuple[str, ...] = TICKED + mailchimp_data.DATASETS + segment_catalog.DATASETS

#: The field of each dataset's records that identifies a record (None: no single field does).
ID_KEYS: dict[str, str | None] = {
    "mailchimp_members": "id",
    "mailchimp_email_activity": "email_id",
    "zendesk_users": "id",
    "segment_sources": "id",
    "segment_audit_events": "id",
    "hubspot_contacts": "id",
    "helpscout_conversations": "id",
    **mailchimp_data.ID_KEYS,
    **segment_catalog.ID_KEYS,
}

#: The field each API filters its time windows on (None: the API has no window).
CHANGE_KEYS: dict[str, str | None] = {
    "mailchimp_members": "last_changed",
    "mailchimp_email_activity": None,
    "zendesk_users": "updated_at",
    "segment_sources": None,
    "segment_audit_events": "timestamp",
    "hubspot_contacts": "updatedAt",
    "helpscout_conversations": "userUpdatedAt",
    **{name: None for name in mailchimp_data.DATASETS + segment_catalog.DATASETS},
}

#: child dataset -> ((link field, parent dataset), ...): deleting a parent deletes its children.
RELATIONS: dict[str, tuple[tuple[str, str], ...]] = {**mailchimp_data.RELATIONS, **segment_catalog.RELATIONS}


def _md5(text: str) -> str:
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()


def _b62(rng: random.Random, n: int) -> str:
    return "".join(rng.choice(B62) for _ in range(n))


class Ids(Protocol):
    """The account values records refer to (``store.Settings``)."""

    list_id: str
    campaign_id: str
    dc: str
    subdomain: str
    workspace_id: str
    more_lists: tuple[str, ...]


class Maker:
    """Builds records; ``counters`` numbers each dataset's records (kept in the state file)."""

    def __init__(self, settings: Ids, data: dict[str, list[dict[str, Any]]]) -> None:
        self.settings = settings
        self.data = data
        self.counters: dict[str, int] = {name: 0 for name in TICKED}

    def make(self, dataset: str, rng: random.Random, created: datetime, changed: datetime) -> dict[str, Any]:
        """The dataset's next record, created and last changed at the given moments."""
        n = self.counters[dataset]
        self.counters[dataset] = n + 1
        maker = getattr(self, f"_make_{dataset}")
        return maker(rng, n, created, changed)

    def _person(self, rng: random.Random, n: int, tag: str = "") -> tuple[str, str, str]:
        first = rng.choice(FIRST)
        last = rng.choice(LAST)
        email = f"{first}.{last}{tag}{n}@{rng.choice(DOMAINS)}".lower()
        return first, last, email

    def _make_mailchimp_members(
        self, rng: random.Random, n: int, created: datetime, changed: datetime
    ) -> dict[str, Any]:
        first, last, email = self._person(rng, n)
        member_id = _md5(email)
        status = rng.choices(["subscribed", "unsubscribed", "cleaned", "pending"], weights=[75, 15, 5, 5])[0]
        _, iana = rng.choice(TIMEZONES)
        tags = rng.sample(
            [(101, "customer"), (102, "newsletter"), (103, "vip"), (104, "beta")], rng.randint(0, 2)
        )
        return {
            "id": member_id,
            "email_address": email,
            "unique_email_id": _md5(email + ":u")[:10],
            "contact_id": _md5(email + ":c"),
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
            "list_id": self.settings.list_id,
            "_links": [
                {
                    "rel": "self",
                    "href": f"https://{self.settings.dc}.api.mailchimp.com/3.0/lists/{self.settings.list_id}/members/{member_id}",
                    "method": "GET",
                    "targetSchema": "https://us21.api.mailchimp.com/schema/3.0/Definitions/Lists/Members/Response.json",
                }
            ],
        }

    def activity(self, rng: random.Random, moment: datetime) -> dict[str, Any]:
        action = rng.choices(["open", "click", "bounce"], weights=[70, 25, 5])[0]
        item: dict[str, Any] = {"action": action, "timestamp": fmt_offset(moment)}
        if action == "bounce":
            item["type"] = rng.choice(["hard", "soft"])
        if action == "click":
            item["url"] = f"https://www.example.com/offer/{rng.randint(1, 9)}"
        item["ip"] = f"203.0.113.{rng.randint(1, 254)}"
        return item

    def _make_mailchimp_email_activity(
        self, rng: random.Random, n: int, created: datetime, changed: datetime
    ) -> dict[str, Any]:
        _, _, email = self._person(rng, n, tag="r")
        count = rng.choices([0, 1, 2, 3, 4], weights=[15, 40, 25, 12, 8])[0]
        span = max((changed - created).total_seconds(), 1)
        offsets = sorted(int(rng.random() * span) for _ in range(count))
        # one email's activities are at distinct seconds: (email_id, action, timestamp) is unique
        moments = [created + timedelta(seconds=s + i) for i, s in enumerate(offsets)]
        email_id = _md5(email)
        return {
            "campaign_id": self.settings.campaign_id,
            "list_id": self.settings.list_id,
            "list_is_active": True,
            "email_id": email_id,
            "email_address": email,
            "activity": [self.activity(rng, m) for m in moments],
            "_links": [
                {
                    "rel": "self",
                    "href": f"https://{self.settings.dc}.api.mailchimp.com/3.0/reports/{self.settings.campaign_id}/email-activity/{email_id}",
                    "method": "GET",
                }
            ],
        }

    def _make_zendesk_users(
        self, rng: random.Random, n: int, created: datetime, changed: datetime
    ) -> dict[str, Any]:
        first, last, email = self._person(rng, n, tag="z")
        user_id = 1500000000000 + n * 7919
        role = rng.choices(["end-user", "agent", "admin"], weights=[80, 15, 5])[0]
        tz_name, iana = rng.choice(TIMEZONES)
        staff = role != "end-user"
        return {
            "id": user_id,
            "url": f"https://{self.settings.subdomain}.zendesk.com/api/v2/users/{user_id}.json",
            "name": f"{first} {last}",
            "email": email,
            "created_at": fmt_z(created),
            "updated_at": fmt_z(changed),
            "time_zone": tz_name,
            "iana_time_zone": iana,
            "locale": "en-US",
            "locale_id": 1,
            "organization_id": rng.choice([None, 360000123451, 360000123452, 360000123453]),
            "role": role,
            "verified": rng.random() < 0.8,
            "active": True,
            "shared": False,
            "shared_agent": False,
            "tags": rng.sample(["vip", "trial", "enterprise", "churn-risk"], rng.randint(0, 2)),
            "suspended": rng.random() < 0.02,
            "restricted_agent": role != "admin",
            "moderator": role == "admin",
            "only_private_comments": False,
            "report_csv": role == "admin",
            "ticket_restriction": "requested" if not staff else (None if role == "admin" else "groups"),
            "two_factor_auth_enabled": (rng.random() < 0.5) if staff else None,
            "result_type": "user",
        }

    def _make_segment_sources(
        self, rng: random.Random, n: int, created: datetime, changed: datetime
    ) -> dict[str, Any]:
        slug, kind_name, category = rng.choice(SOURCE_KINDS)
        return {
            "id": _b62(rng, 22),
            "slug": f"{slug}-{n + 1}",
            "name": f"{kind_name} source {n + 1}",
            "workspaceId": self.settings.workspace_id,
            "enabled": rng.random() < 0.85,
            "writeKeys": [_b62(rng, 32)],
            "metadata": {
                "id": _b62(rng, 10),
                "slug": slug,
                "name": kind_name,
                "categories": [category],
                "description": f"Send events from {kind_name} to Segment.",
                "logos": {
                    "default": f"https://cdn.filepicker.io/api/file/{_b62(rng, 20)}",
                    "mark": "",
                    "alt": "",
                },
                "options": [],
                "isCloudEventSource": False,
            },
            "settings": {},
            "labels": [{"key": "environment", "value": rng.choice(["prod", "dev", "staging"])}],
        }

    def _make_segment_audit_events(
        self, rng: random.Random, n: int, created: datetime, changed: datetime
    ) -> dict[str, Any]:
        sources = self.data.get("segment_sources") or []
        source = rng.choice(sources) if sources else None
        actor_first, actor_last, actor_email = self._person(rng, n % 7, tag="a")
        moment = created + timedelta(milliseconds=rng.randint(0, 999))
        return {
            "id": _b62(rng, 27),
            "timestamp": fmt_ms(moment),
            "type": rng.choice(AUDIT_TYPES),
            "actor": f"{actor_first} {actor_last}",
            "actorEmail": actor_email,
            "resourceId": source["id"] if source else _b62(rng, 22),
            "resourceType": "Source",
            "resourceName": source["name"] if source else "Source",
        }

    def _make_hubspot_contacts(
        self, rng: random.Random, n: int, created: datetime, changed: datetime
    ) -> dict[str, Any]:
        first, last, email = self._person(rng, n, tag="h")
        contact_id = str(1001 + n)
        created_s = fmt_ms(created + timedelta(milliseconds=rng.randint(0, 999)))
        changed_s = fmt_ms(changed + timedelta(milliseconds=rng.randint(0, 999)))
        return {
            "id": contact_id,
            "properties": {
                "createdate": created_s,
                "email": email,
                "firstname": first,
                "hs_object_id": contact_id,
                "lastmodifieddate": changed_s,
                "lastname": last,
            },
            "createdAt": created_s,
            "updatedAt": changed_s,
            "archived": False,
        }

    def _make_helpscout_conversations(
        self, rng: random.Random, n: int, created: datetime, changed: datetime
    ) -> dict[str, Any]:
        first, last, email = self._person(rng, n, tag="c")
        conv_id = 2000000000 + n * 17
        number = 1001 + n
        status = rng.choices(["active", "pending", "closed", "spam"], weights=[35, 15, 45, 5])[0]
        customer_id = 300000000 + n * 3
        mailbox = rng.choice([101, 102])
        customer = {
            "id": customer_id,
            "type": "customer",
            "first": first,
            "last": last,
            "email": email,
        }
        record: dict[str, Any] = {
            "id": conv_id,
            "number": number,
            "threads": rng.randint(1, 8),
            "type": rng.choices(["email", "chat", "phone"], weights=[80, 15, 5])[0],
            "folderId": 5000000 + mailbox,
            "status": status,
            "state": "published",
            "subject": rng.choice(SUBJECTS),
            "preview": "Hello, I need some help with my account...",
            "mailboxId": mailbox,
            "createdBy": {"id": customer_id, "type": "customer", "email": email},
            "createdAt": fmt_z(created),
            "closedBy": 0,
            "userUpdatedAt": fmt_z(changed),
            "customerWaitingSince": {"time": fmt_z(changed), "friendly": "recently"},
            "source": {"type": "email", "via": "customer"},
            "tags": [{"id": 9001, "color": "#929499", "tag": "billing"}] if rng.random() < 0.3 else [],
            "cc": [],
            "bcc": [],
            "primaryCustomer": customer,
            "customFields": [],
            "_links": {
                "self": {"href": f"https://api.helpscout.net/v2/conversations/{conv_id}"},
                "mailbox": {"href": f"https://api.helpscout.net/v2/mailboxes/{mailbox}"},
                "primaryCustomer": {"href": f"https://api.helpscout.net/v2/customers/{customer_id}"},
                "threads": {"href": f"https://api.helpscout.net/v2/conversations/{conv_id}/threads/"},
                "web": {"href": f"https://secure.helpscout.net/conversation/{conv_id}/{number}/"},
            },
        }
        if status == "closed":
            record["closedBy"] = 4001
            record["closedAt"] = fmt_z(changed)
        if rng.random() < 0.7:
            record["assignee"] = {
                "id": 4001,
                "type": "user",
                "first": "Grace",
                "last": "Hopper",
                "email": "grace.hopper@example.com",
            }
        return record

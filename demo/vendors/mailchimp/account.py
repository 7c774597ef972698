"""More of a Mailchimp account than one list and one campaign: its other lists, its campaigns,
and the email activity of each sent campaign.

``generate(rng, data, make, account, now, sizes)`` fills ``mailchimp_list_members``,
``mailchimp_campaigns`` and ``mailchimp_campaign_activity``. The members of the other lists
(``more_lists``) are partly the same people as the first list's, so the same member id (the
MD5 of the lowercased email) appears in two lists, as in Mailchimp. The first campaign is
``campaign_id``, sent to the first list, and its activity is the ``mailchimp_email_activity``
dataset; the other sent campaigns' activity is in ``mailchimp_campaign_activity``; a draft
(``status`` ``save``) has none.

Campaign objects as List campaigns (https://mailchimp.com/developer/marketing/api/campaigns/list-campaigns/)
documents them: ``id``, ``web_id``, ``type``, ``create_time``, ``archive_url``, ``status``,
``emails_sent``, ``send_time``, ``content_type``, ``recipients``, ``settings``, ``tracking``,
``report_summary`` (sent campaigns), ``delivery_status``, ``_links``.
"""

from __future__ import annotations

import hashlib
import random
from datetime import datetime, timedelta
from typing import Any, Protocol

from demo.data.times import fmt_offset

#: Record counts (``DemoAPI(extra=...)`` changes them).
SIZES: dict[str, int] = {"list_members": 40, "campaigns": 6, "campaign_emails": 25}


def ten_hex(text: str) -> str:
    """A Mailchimp-style 10-character hex id."""
    return hashlib.md5(text.encode(), usedforsecurity=False).hexdigest()[:10]


def extra_list_ids(count: int) -> tuple[str, ...]:
    """The ids of the lists after the first one."""
    return tuple(ten_hex(f"list:{n}") for n in range(1, count))


class Account(Protocol):
    """The account's ids (``Mailchimp``)."""

    @property
    def list_id(self) -> str: ...

    @property
    def campaign_id(self) -> str: ...

    @property
    def dc(self) -> str: ...

    @property
    def more_lists(self) -> tuple[str, ...]: ...


class Make(Protocol):
    """``Store.make``: the next member or email-activity record of the first list and campaign."""

    def __call__(self, dataset: str, rng: random.Random, created: datetime, changed: datetime) -> Any: ...


def _relist(member: dict[str, Any], list_id: str, dc: str) -> dict[str, Any]:
    base = f"https://{dc}.api.mailchimp.com/3.0/lists/{list_id}/members/{member['id']}"
    return {**member, "list_id": list_id, "_links": [{**member["_links"][0], "href": base}]}


def _campaign(
    rng: random.Random, n: int, campaign_id: str, list_id: str, created: datetime, sent: int | None, dc: str
) -> dict[str, Any]:
    title = f"Newsletter {n + 1}"
    record: dict[str, Any] = {
        "id": campaign_id,
        "web_id": 2350000 + n * 11,
        "parent_campaign_id": "",
        "type": "regular",
        "create_time": fmt_offset(created),
        "archive_url": f"http://eepurl.com/{campaign_id[:6]}",
        "long_archive_url": f"https://us21.campaign-archive.com/?u=0123456789abcdef&id={campaign_id}",
        "status": "save" if sent is None else "sent",
        "emails_sent": sent or 0,
        "send_time": "" if sent is None else fmt_offset(created + timedelta(hours=2)),
        "content_type": "template",
        "needs_block_refresh": False,
        "resendable": sent is not None,
        "recipients": {
            "list_id": list_id,
            "list_is_active": True,
            "list_name": f"List {list_id}",
            "segment_text": "",
            "recipient_count": sent or 0,
        },
        "settings": {
            "subject_line": f"{title}: what is new",
            "preview_text": "This month at Example",
            "title": title,
            "from_name": "Example",
            "reply_to": "news@example.com",
            "use_conversation": False,
            "to_name": "*|FNAME|*",
            "folder_id": "",
            "authenticate": True,
            "auto_footer": False,
            "inline_css": False,
            "auto_tweet": False,
            "fb_comments": True,
            "timewarp": False,
            "template_id": 10000 + n,
            "drag_and_drop": True,
        },
        "tracking": {"opens": True, "html_clicks": True, "text_clicks": False, "goal_tracking": False},
        "delivery_status": {"enabled": False},
        "_links": [
            {
                "rel": "self",
                "href": f"https://{dc}.api.mailchimp.com/3.0/campaigns/{campaign_id}",
                "method": "GET",
            }
        ],
    }
    if sent is not None:
        opens = rng.randint(0, sent)
        clicks = rng.randint(0, opens)
        record["report_summary"] = {
            "opens": opens + rng.randint(0, 5),
            "unique_opens": opens,
            "open_rate": round(opens / sent, 4) if sent else 0,
            "clicks": clicks,
            "subscriber_clicks": clicks,
            "click_rate": round(clicks / sent, 4) if sent else 0,
        }
    return record


def generate(
    rng: random.Random,
    data: dict[str, list[Any]],
    make: Make,
    account: Account,
    now: datetime,
    sizes: dict[str, int] | None = None,
) -> None:
    """Fill the other lists, the campaigns and their activity (the first list's members and
    campaign's activity must be in ``data``)."""
    size = {**SIZES, **(sizes or {})}

    def moments() -> tuple[datetime, datetime]:
        created = now - timedelta(days=30) + timedelta(seconds=rng.random() * (30 * 86400 - 7200))
        changed = created + timedelta(seconds=rng.random() * max((now - created).total_seconds() - 60, 0))
        return created.replace(microsecond=0), changed.replace(microsecond=0)

    first = data["mailchimp_members"]
    members = []
    for list_id in account.more_lists:
        shared = rng.sample(first, min(len(first), size["list_members"] // 4))
        for member in shared:  # the same person, subscribed to this list too
            created, changed = moments()
            again = {**member, "last_changed": fmt_offset(changed), "timestamp_opt": fmt_offset(created)}
            members.append(_relist(again, list_id, account.dc))
        for _ in range(size["list_members"] - len(shared)):
            created, changed = moments()
            made = make("mailchimp_members", rng, created, changed)
            members.append(_relist(made, list_id, account.dc))
    data["mailchimp_list_members"] = members

    lists = (account.list_id, *account.more_lists)
    campaigns, activity = [], []
    for n in range(size["campaigns"]):
        created, _ = moments()
        campaign_id = account.campaign_id if n == 0 else ten_hex(f"campaign:{n}")
        list_id = lists[n % len(lists)]
        draft = n > 0 and n % 4 == 3
        emails: list[dict[str, Any]] = []
        if n > 0 and not draft:
            for _ in range(size["campaign_emails"]):
                start, end = moments()
                email = make("mailchimp_email_activity", rng, start, end)
                self_link = f"https://{account.dc}.api.mailchimp.com/3.0/reports/{campaign_id}/email-activity"
                link = {**email["_links"][0], "href": f"{self_link}/{email['email_id']}"}
                emails.append({**email, "campaign_id": campaign_id, "list_id": list_id, "_links": [link]})
        sent = None if draft else len(data["mailchimp_email_activity"]) if n == 0 else len(emails)
        campaigns.append(_campaign(rng, n, campaign_id, list_id, created, sent, account.dc))
        activity += emails
    campaigns.sort(key=lambda c: c["create_time"])
    data["mailchimp_campaigns"], data["mailchimp_campaign_activity"] = campaigns, activity

"""Word lists for a Segment workspace's records, and its base-62 ids."""

from __future__ import annotations

import random

from demo.data.words import words

B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"


def b62(rng: random.Random, n: int) -> str:
    """``n`` random base-62 characters (Segment's ids)."""
    return "".join(rng.choice(B62) for _ in range(n))


SOURCE_KINDS = (
    ("javascript", "Javascript", "Website"),
    ("ios", "iOS", "Mobile"),
    ("android", "Android", "Mobile"),
    ("http-api", "HTTP API", "Server"),
    ("node-js", "Node.js", "Server"),
    ("python", "Python", "Server"),
)
AUDIT_TYPES = (
    "Source Modified",
    "Source Enabled",
    "Source Disabled",
    "Integration Modified",
    "Tracking Plan Modified",
    "Warehouse Run Failed",
)

FUNCTION_TYPES = ("DESTINATION", "INSERT_DESTINATION", "INSERT_SOURCE", "INSERT_TRANSFORMATION", "SOURCE")
DESTINATION_KINDS = (  # slug, name, category, actions (subscriptions)
    ("google-analytics-4-web", "Google Analytics 4 Web", "Analytics", True),
    ("actions-amplitude", "Actions Amplitude", "Analytics", True),
    ("webhooks", "Webhooks (Actions)", "Raw Data", True),
    ("mixpanel", "Mixpanel", "Analytics", False),
    ("intercom", "Intercom", "Customer Success", False),
    ("slack", "Slack", "Raw Data", False),
)
WAREHOUSE_KINDS = (("postgres", "Postgres"), ("snowflake", "Snowflake"), ("bigquery", "BigQuery"))
ROLES = (  # the first two as Segment's List Roles sample prints them
    (
        "1WDUuRLxv84rrfCNUwvkrRtkxnS",
        "Workspace Owner",
        "Owners have full read and edit access to everything in the workspace, including Sources, "
        "Destinations, add-on products, and settings. Owners have full edit access to all Team Permissions.",
    ),
    (
        "1aEWAcU0fArxScocwH9xxLgW7r3",
        "Minimal Workspace Access",
        "Access to view the workspace. Cannot view any sub resources or make changes to the workspace.",
    ),
    (
        "1dYOEOk4ZiyMbX8QXW0aVwbJ6cA",
        "Source Admin",
        "Edit access to assigned Sources and their connected Destinations.",
    ),
    (
        "1dYOEQxgNV9uN6wuDqMuF4rcBqE",
        "Source Read-only",
        "Read access to assigned Sources and their connected Destinations.",
    ),
    ("1dYOERBIo8MPSaHbWLYkpIVpfvV", "Warehouse Destination Admin", "Edit access to all Warehouses."),
    ("1dYOESBqhDbcCnIUVrDuvw6Ml8X", "Warehouse Destination Read-only", "Read access to all Warehouses."),
)
LABELS = (  # the first three as Segment's List Labels sample prints them
    ("environment", "dev", ""),
    ("environment", "prod", ""),
    ("type", "web", "labels source as web"),
    ("environment", "staging", ""),
    ("team", "growth", "owned by the growth team"),
)
EVENTS = (
    "Order Completed",
    "Product Viewed",
    "Signed Up",
    "Checkout Started",
    "Coupon Applied",
    "Cart Viewed",
)

# The operational metrics and the rest of the configuration (``metrics``, ``workspace``).
EVENT_TYPES = ("track", "identify", "page", "screen", "group", "alias")
#: Why Segment dropped or did not deliver events, per Delivery Overview step (synthetic).
DISCARD_REASONS = {
    "failed-on-ingest": ("invalid_json", "payload_too_large", "invalid_timestamp"),
    "filtered-at-source": ("blocked_by_tracking_plan", "schema_filter"),
    "failed-delivery": ("bad_request_400", "unauthorized_401", "rate_limited_429", "timeout"),
    "filtered-at-destination": ("destination_filter", "not_subscribed", "unplanned_event"),
    "successful-delivery": ("successes.attempt.1", "successes.attempt.2"),
}
REGULATION_TYPES = (
    "DELETE_INTERNAL",
    "DELETE_ONLY",
    "SUPPRESS_ONLY",
    "SUPPRESS_WITH_DELETE",
    "SUPPRESS_WITH_DELETE_INTERNAL",
    "UNSUPPRESS",
)
REGULATION_STATUSES = (
    "FAILED",
    "FINISHED",
    "INITIALIZED",
    "INVALID",
    "NOT_SUPPORTED",
    "PARTIAL_SUCCESS",
    "RUNNING",
)
#: Words the public catalog's integration names are drawn from (synthetic, beside the kinds above).
CATALOG_WORDS = words(
    "Acme Beacon Cobalt Delta Ember Falcon Garnet Harbor Indigo Juniper Kestrel Lumen Meridian "
    "Nimbus Onyx Prism Quartz Relay Summit Tandem Umbra Vertex Willow Xenon Yonder Zephyr"
)
CATALOG_CATEGORIES = (
    "Analytics",
    "Advertising",
    "CRM",
    "Email Marketing",
    "Customer Success",
    "Raw Data",
    "Surveys",
    "A/B Testing",
)

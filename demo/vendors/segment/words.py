"""Word lists for a Segment workspace's records, and its base-62 ids."""

from __future__ import annotations

import random

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

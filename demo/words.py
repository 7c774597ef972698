"""Word lists for the synthetic records."""

from __future__ import annotations


def _words(text: str) -> tuple[str, ...]:
    return tuple(text.split())


FIRST = _words(
    "Ada Alan Grace Linus Barbara Ken Margaret Dennis Frances Edsger Radia John Hedy Tim "
    "Katherine Guido Sophie Niklaus Anita Bjarne Karen Donald Lynn Vint Joan Claude Mary "
    "Leslie Shafi Whitfield Adele Ivan Jean Robin Carla Tony Ruth Peter Elena Marco"
)
LAST = _words(
    "Lovelace Turing Hopper Torvalds Liskov Thompson Hamilton Ritchie Allen Dijkstra "
    "Perlman McCarthy Lamarr Berners-Lee Johnson Rossum Wilson Wirth Borg Stroustrup "
    "Jones Knuth Conway Cerf Clarke Shannon Keller Lamport Goldwasser Diffie Goldberg "
    "Sutherland Sammet Milner Bianchi Hoare Teitelbaum Naur Rossi Conti"
)
DOMAINS = ("example.com", "example.org", "example.net")
B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
TIMEZONES = (
    ("Eastern Time (US & Canada)", "America/New_York"),
    ("Pacific Time (US & Canada)", "America/Los_Angeles"),
    ("London", "Europe/London"),
    ("Rome", "Europe/Rome"),
    ("Tokyo", "Asia/Tokyo"),
)
SUBJECTS = (
    "Cannot log in",
    "Refund request",
    "Question about my invoice",
    "Feature request: dark mode",
    "Order has not arrived",
    "How do I export my data?",
    "Password reset email never came",
    "Upgrade to the annual plan",
)
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

"""Word lists and small helpers for every vendor's synthetic records (a vendor's own lists
live in its module)."""

from __future__ import annotations

import random


def words(text: str) -> tuple[str, ...]:
    """The words of a text, in order."""
    return tuple(text.split())


FIRST = words(
    "Ada Alan Grace Linus Barbara Ken Margaret Dennis Frances Edsger Radia John Hedy Tim "
    "Katherine Guido Sophie Niklaus Anita Bjarne Karen Donald Lynn Vint Joan Claude Mary "
    "Leslie Shafi Whitfield Adele Ivan Jean Robin Carla Tony Ruth Peter Elena Marco"
)
LAST = words(
    "Lovelace Turing Hopper Torvalds Liskov Thompson Hamilton Ritchie Allen Dijkstra "
    "Perlman McCarthy Lamarr Berners-Lee Johnson Rossum Wilson Wirth Borg Stroustrup "
    "Jones Knuth Conway Cerf Clarke Shannon Keller Lamport Goldwasser Diffie Goldberg "
    "Sutherland Sammet Milner Bianchi Hoare Teitelbaum Naur Rossi Conti"
)
DOMAINS = ("example.com", "example.org", "example.net")
TIMEZONES = (
    ("Eastern Time (US & Canada)", "America/New_York"),
    ("Pacific Time (US & Canada)", "America/Los_Angeles"),
    ("London", "Europe/London"),
    ("Rome", "Europe/Rome"),
    ("Tokyo", "Asia/Tokyo"),
)


def person(rng: random.Random, n: int, tag: str = "") -> tuple[str, str, str]:
    """A first name, a last name and an email address unique by ``n`` (and ``tag``)."""
    first = rng.choice(FIRST)
    last = rng.choice(LAST)
    email = f"{first}.{last}{tag}{n}@{rng.choice(DOMAINS)}".lower()
    return first, last, email

"""A family of classes that a spec names by a string: pagination types, placements, auth types.

Each family is listed once, where it is defined (`paging.types.PAGING_TYPES`,
`paging.placement.PLACEMENTS`, `auth.registry.AUTH_TYPES`), as the demo lists its vendors
(`demo/registry.py`): a list, not a decorator, because the order is behaviour (the order
known names are offered in messages) and a class is known by being listed, never as a side
effect of importing its module. A name is found in any case; a miss lists the known names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")


class Registry(Generic[T]):
    """Classes by the name a spec gives them (the class attribute `key`), in the order listed."""

    def __init__(self, key: str, classes: Iterable[type[T]], fold: Callable[[str], str] = str.upper) -> None:
        self.classes = tuple(classes)
        self.names: tuple[str, ...] = tuple(getattr(cls, key) for cls in self.classes)
        self._fold = fold
        self._by_name = {fold(name): cls for name, cls in zip(self.names, self.classes, strict=True)}
        if len(self._by_name) != len(self.names):
            raise ValueError(f"two classes share a name: {', '.join(self.names)}")

    def __iter__(self) -> Iterator[str]:
        """The known names, in the order listed."""
        return iter(self.names)

    def find(self, name: str) -> type[T] | None:
        """The class `name` stands for (in any case), or None."""
        return self._by_name.get(self._fold(name))

    def __getitem__(self, name: str) -> type[T]:
        """The class `name` stands for; a KeyError whose message lists the known names."""
        found = self.find(name)
        if found is None:
            raise KeyError(self.miss(name))
        return found

    def miss(self, name: str) -> str:
        """`'<name>' is not one of <the known names>`."""
        return f"{name!r} is not one of {', '.join(self.names)}"

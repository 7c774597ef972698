"""Modules the SDK imports at start-up and a tap never uses, loaded only when something uses them.

Importing anything from singer_sdk imports `joblib` (for its Target class's parallel drain) and
`upath`, which pulls in `fsspec` (for BATCH files, which this tap does not offer): 0.18 G
instructions, an eighth of the tap's start-up (bench/README.md, issue 25). The SDK has no switch
for this, so when this module is imported (first of all by `tap.py`, the command's module, before
singer_sdk is), the names singer_sdk takes from them (`from joblib import Parallel, ...`) are
bound to stand-ins that import the real module when called; any other attribute of either
module imports the real one at once.
"""

from __future__ import annotations

import importlib
import sys
import types
from collections.abc import Callable
from typing import Any

# module -> the names singer_sdk imports from it when it is imported
DEFERRED = {"joblib": ("Parallel", "delayed", "parallel_config"), "upath": ("UPath",)}


class _Stand(types.ModuleType):
    """A module not imported yet: its SDK names are stand-ins, any other name imports it."""

    def __getattr__(self, name: str) -> Any:
        if name in DEFERRED.get(self.__name__, ()):
            return _stand_in(self.__name__, name)
        if name.startswith("__"):  # the import system's own look-ups (`__path__`, ...): not a package
            raise AttributeError(name)
        return getattr(_real(self.__name__), name)


def _real(module: str) -> types.ModuleType:
    """The real module, imported now if only its stand-in was there."""
    if isinstance(sys.modules.get(module), _Stand):
        del sys.modules[module]
    return importlib.import_module(module)


def _stand_in(module: str, name: str) -> Callable[..., Any]:
    def call(*args: Any, **kwargs: Any) -> Any:
        return getattr(_real(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


def install() -> None:
    """Stand-ins for the modules of DEFERRED, unless singer_sdk (or they) were imported already."""
    if "singer_sdk" in sys.modules:
        return
    for module in DEFERRED:
        if module not in sys.modules:
            sys.modules[module] = _Stand(module)


install()

"""The demo API's command line: ``python -m demo --port 8765 [--state-file F] [options]``.

Besides ``--host``, ``--port`` (0 picks a free port), ``--seed``, ``--state-file`` (the data
survives restarts) and ``--verbose``, each vendor's options with ``flag`` set are flags:
record counts (``--members 250``), switches (``--hubspot-links relative``, ``--strict-tokens``).
The first line printed is ``Demo API listening on http://127.0.0.1:PORT``; SIGTERM and SIGINT
stop it.
"""

from __future__ import annotations

import argparse
import signal
import threading
from collections.abc import Sequence

from demo.api import DemoAPI
from demo.registry import VENDORS
from demo.rest.vendor import Option, Vendor


def flags(vendors: Sequence[type[Vendor]]) -> list[Option]:
    """The vendors' options that are command-line flags, in the vendors' order."""
    return [option for vendor in vendors for option in vendor.options if option.flag]


def parser(vendors: Sequence[type[Vendor]] = VENDORS) -> argparse.ArgumentParser:
    parse = argparse.ArgumentParser(
        prog="python -m demo",
        description="A local demo API that answers like the APIs of the example specs in specs/.",
    )
    parse.add_argument("--host", default="127.0.0.1")
    parse.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parse.add_argument("--seed", type=int, default=1)
    parse.add_argument("--state-file", help="keep the data here, across restarts")
    parse.add_argument("--verbose", action="store_true", help="log every request to stderr")
    for option in flags(vendors):
        flag = "--" + option.name.replace("_", "-")
        if option.choices == (False, True):
            parse.add_argument(flag, action="store_true", help=option.help)
        elif option.choices:
            parse.add_argument(flag, choices=option.choices, default=option.default, help=option.help)
        else:
            parse.add_argument(flag, type=type(option.default), default=option.default, help=option.help)
    return parse


def main(argv: list[str] | None = None, vendors: Sequence[type[Vendor]] = VENDORS) -> None:
    args = parser(vendors).parse_args(argv)
    options = {option.name: getattr(args, option.name) for option in flags(vendors)}
    api = DemoAPI(
        args.port,
        host=args.host,
        seed=args.seed,
        state_file=args.state_file,
        verbose=args.verbose,
        vendors=vendors,
        **options,
    )
    api.start()

    def _stop(*_: object) -> None:
        threading.Thread(target=api.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"Demo API listening on {api.url}", flush=True)
    api.serve_forever()

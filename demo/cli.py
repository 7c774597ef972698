"""The demo API's command line: ``python demo/api.py --port 8765 [--state-file F] [sizes]``.

The first line printed is ``Demo API listening on http://127.0.0.1:PORT``; SIGTERM and SIGINT
stop it.
"""

from __future__ import annotations

import argparse
import signal
import threading

from demo.api import DemoAPI

#: CLI flag -> (DemoAPI keyword, default record count).
SIZES = {
    "members": ("members", 250),
    "emails": ("emails", 120),
    "users": ("users", 300),
    "sources": ("sources", 45),
    "audit-events": ("audit_events", 500),
    "contacts": ("contacts", 230),
    "conversations": ("conversations", 110),
    "lists": ("lists", 3),
    "campaigns": ("campaigns", 6),
}


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(
        description="A local demo API that answers like the APIs of the example specs in specs/."
    )
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8765, help="0 picks a free port")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--state-file", help="keep the data here, across restarts")
    parser.add_argument("--hubspot-links", choices=("absolute", "relative"), default="absolute")
    parser.add_argument("--strict-tokens", action="store_true", help="Help Scout: only issued tokens")
    parser.add_argument("--verbose", action="store_true", help="log every request to stderr")
    for flag, (_, default) in SIZES.items():
        parser.add_argument(f"--{flag}", type=int, default=default)
    args = parser.parse_args(argv)
    sizes = {keyword: getattr(args, flag.replace("-", "_")) for flag, (keyword, _) in SIZES.items()}
    api = DemoAPI(
        args.port,
        host=args.host,
        seed=args.seed,
        state_file=args.state_file,
        hubspot_links=args.hubspot_links,
        strict_tokens=args.strict_tokens,
        verbose=args.verbose,
        **sizes,
    )
    api.start()

    def _stop(*_: object) -> None:
        threading.Thread(target=api.stop, daemon=True).start()

    signal.signal(signal.SIGTERM, _stop)
    signal.signal(signal.SIGINT, _stop)
    print(f"Demo API listening on {api.url}", flush=True)
    api.serve_forever()

"""The ``chainrule playground`` subcommand: ``add_parser(subparsers)`` registers it with the main CLI."""

from __future__ import annotations

import argparse

from .. import _optional as optional
from ..cli import UsageError


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "playground", help="open the browser playground (TensorFlow Playground on chainrule, and more)",
        description="Start a local web server with the chainrule playground and open it in the browser.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only)")
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: 0 = any free port)")
    p.add_argument("--no-browser", action="store_true", help="print the URL but do not open a browser")
    p.set_defaults(func=run)
    return p


def run(args) -> int:
    if not 0 <= args.port <= 65535:
        raise UsageError(f"--port must be in 0..65535, got {args.port}")
    for module in ("starlette", "uvicorn", "websockets"):  # the optional extra 'playground'
        optional.require(module, "chainrule playground")
    from .server import serve

    serve(host=args.host, port=args.port, open_browser=not args.no_browser)
    return 0

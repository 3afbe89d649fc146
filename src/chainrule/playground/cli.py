"""The ``chainrule playground`` subcommand: ``add_parser(subparsers)`` registers it with the main CLI."""

from __future__ import annotations

import argparse
import ipaddress
import os
import secrets

LOOPBACK_NAMES = ("localhost", "ip6-localhost")


def add_parser(subparsers) -> argparse.ArgumentParser:
    p = subparsers.add_parser(
        "playground", help="open the browser playground (TensorFlow Playground on chainrule, and more)",
        description="Start a web server with the chainrule playground and open it in the browser. For a class: "
                    "--host 0.0.0.0 serves every interface, and the printed link carries an access token.")
    p.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this machine only; 0.0.0.0: every interface)")
    p.add_argument("--port", type=int, default=0, help="port to listen on (default: 0 = any free port)")
    p.add_argument("--no-browser", action="store_true", help="print the URL but do not open a browser")
    p.add_argument("--workers", type=int, default=None,
                   help="worker processes that train the sessions, each on its own core (default: one per core, "
                        f"{os.cpu_count()} here; 0 = train in the server process)")
    p.add_argument("--token", default=None,
                   help="access token the link must carry (?token=...). Default: none on 127.0.0.1, a random one "
                        "when --host is reachable from other machines")
    p.add_argument("--no-token", action="store_true", help="no access token, even when other machines can connect")
    p.add_argument("--max-sessions", type=int, default=200, help="most tabs served at once (default: 200)")
    p.set_defaults(func=run)
    return p


def is_loopback(host: str) -> bool:
    if host in LOOPBACK_NAMES:
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def run(args) -> int:
    if not 0 <= args.port <= 65535:
        raise SystemExit(f"chainrule playground: --port must be in 0..65535, got {args.port}")
    workers = (os.cpu_count() or 1) if getattr(args, "workers", None) is None else args.workers
    if not 0 <= workers <= 256:
        raise SystemExit(f"chainrule playground: --workers must be in 0..256, got {workers}")
    max_sessions = getattr(args, "max_sessions", 200)
    if max_sessions < 1:
        raise SystemExit(f"chainrule playground: --max-sessions must be at least 1, got {max_sessions}")
    token = getattr(args, "token", None)
    if token is not None and (len(token) < 8 or not token.replace("-", "").replace("_", "").isalnum()):
        raise SystemExit("chainrule playground: --token must be at least 8 letters, digits, '-' or '_'")
    if getattr(args, "no_token", False):
        token = None
    elif token is None and not is_loopback(args.host):
        token = secrets.token_urlsafe(18)  # reachable from other machines: only those given the link get in
    try:
        from .server import serve
    except ImportError as e:  # starlette/uvicorn are an optional extra
        raise SystemExit(f"chainrule playground needs the 'playground' extra ({e.name} is missing): "
                         "pip install 'chainrule[playground]'") from None
    serve(host=args.host, port=args.port, open_browser=not args.no_browser, workers=workers, token=token,
          max_sessions=max_sessions)
    return 0

"""The playground's ASGI app: the static single-page front end and one WebSocket per browser tab.

The server process only moves messages: it validates what each tab sends (protocol.py) and hands it to the
tab's session on a worker (pool.py, worker.py), and it sends each tab what its session produced through a
bounded outbox (outbox.py), so that no client, however slow or hostile, makes it hold more and more memory.
Every malformed message is answered with an ``error`` message; sessions end when their socket closes, or
after ``idle_timeout`` seconds without a message from the tab. With a ``token``, the page and the socket
need it (``/?token=...``, as Jupyter does), so that only those given the link get in.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import secrets
import time
from importlib import resources
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import FileResponse, HTMLResponse, JSONResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from .pool import Pool
from .protocol import ProtocolError, parse_message
from .worker import rss_kib, single_threaded_blas

STATIC_DIR = Path(str(resources.files("chainrule.playground") / "static"))
MAX_SESSIONS = 200
NEEDS_TOKEN = """<!DOCTYPE html><meta charset="utf-8"><title>chainrule playground</title>
<body style="font-family: sans-serif; margin: 3em"><h1>This playground needs its link</h1>
<p>Open the link with the access token (<code>...?token=...</code>) that <code>chainrule playground</code>
printed, or ask for it.</p></body>"""


class _ClientFrameErrors(logging.Filter):
    """uvicorn logs a client's text frame that is not UTF-8 with a traceback, and closes that connection
    (code 1007) as it should: a client's malformed frame is not a server error, so it becomes one line."""

    def filter(self, record):
        if record.getMessage().startswith("Invalid UTF-8"):
            record.exc_info, record.exc_text = None, None
            record.levelno, record.levelname = logging.WARNING, "WARNING"
        return True


def _error(exc: ProtocolError) -> str:
    return json.dumps({"type": "error", "message": str(exc), "field": exc.field})


def create_app(idle_timeout: float = 1800.0, reap_every: float = 30.0, workers: int = 0, token: str | None = None,
               max_sessions: int = MAX_SESSIONS, on_ready=None) -> Starlette:
    """Build the app: ``workers`` processes run the sessions (0: one worker thread in this process);
    ``on_ready()`` is called once every worker answers."""
    if workers == 0:
        single_threaded_blas()
    pool = Pool(workers)

    def allowed(conn) -> bool:
        return token is None or secrets.compare_digest(conn.query_params.get("token", ""), token)

    async def index(request):
        if not allowed(request):
            return HTMLResponse(NEEDS_TOKEN, status_code=403)
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    async def health(request):
        body = {"ok": True, "sessions": len(pool.clients), "serverRssKiB": rss_kib()}
        if allowed(request) and request.query_params.get("workers"):
            body["workers"] = await pool.stats()
        return JSONResponse(body)

    async def websocket_endpoint(websocket: WebSocket):
        if not allowed(websocket):
            await websocket.close(code=1008, reason="this playground needs the link with its token")
            return
        await websocket.accept()
        if len(pool.clients) >= max_sessions:
            await websocket.send_text(json.dumps({"type": "error", "field": None, "message":
                                                  f"this server already runs {max_sessions} playground tabs "
                                                  "(its limit); try again later"}))
            await websocket.close(code=1013)
            return
        try:
            client = await pool.open()
        except RuntimeError as exc:  # no worker is running (one is being started again after a crash)
            await websocket.send_text(json.dumps({"type": "error", "field": None, "message": f"{exc}; try again"}))
            await websocket.close(code=1013)
            return
        client.websocket = websocket
        sender = asyncio.create_task(_pump(websocket, client.outbox))
        try:
            while True:
                event = await websocket.receive()
                if event["type"] == "websocket.disconnect":
                    break
                client.last_active = time.monotonic()
                raw = event.get("text")
                try:
                    msg = parse_message(raw if raw is not None else (event.get("bytes") or b""))
                except ProtocolError as exc:
                    client.outbox.put("error", _error(exc))
                    continue
                await pool.send(client, msg)
        except (WebSocketDisconnect, RuntimeError, OSError):
            pass
        finally:
            await pool.close(client)
            sender.cancel()
            with contextlib.suppress(BaseException):
                await sender

    async def reap_idle():
        now = time.monotonic()
        idle = [c.websocket for c in pool.clients.values()
                if now - c.last_active > idle_timeout and c.websocket is not None]
        for ws in idle:
            with contextlib.suppress(Exception):
                await ws.close(code=1001, reason="idle")

    async def reaper():
        while True:
            await asyncio.sleep(reap_every)
            await reap_idle()  # a function of its own: no reference to a session outlives the sweep

    @contextlib.asynccontextmanager
    async def lifespan(app):
        await pool.start()
        await pool.ready()
        if on_ready is not None:
            on_ready()
        task = asyncio.create_task(reaper())
        yield
        task.cancel()
        for c in list(pool.clients.values()):
            with contextlib.suppress(Exception):
                await c.websocket.close(code=1001, reason="server stopping")
        await pool.stop()

    app = Starlette(routes=[
        Route("/", index),
        Route("/health", health),
        WebSocketRoute("/ws", websocket_endpoint),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ], lifespan=lifespan)
    app.state.pool = pool
    return app


async def _pump(websocket: WebSocket, outbox):
    """Send the outbox's messages as the client takes them (a send waits while the client does not read)."""
    with contextlib.suppress(Exception):
        while (text := await outbox.get()) is not None:
            await websocket.send_text(text)
        if outbox.finishing and not outbox.closed:  # the session is gone (its worker stopped)
            await websocket.close(code=1011, reason="worker stopped")


def serve(host: str = "127.0.0.1", port: int = 0, open_browser: bool = True, log_level: str = "warning",
          workers: int = 0, token: str | None = None, max_sessions: int = MAX_SESSIONS):
    """Run the playground until interrupted. Port 0 picks a free port; the URL (with the token) is printed."""
    import errno
    import socket
    import sys
    import webbrowser

    import uvicorn

    if workers == 0:  # sessions train on a thread of this process: keep the event loop responsive
        sys.setswitchinterval(0.001)
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    try:
        sock.bind((host, port))
    except OSError as e:
        sock.close()
        if isinstance(e, socket.gaierror) or e.errno == errno.EADDRNOTAVAIL:  # the host, not the port
            raise SystemExit(f"chainrule playground: cannot listen on {host}:{port}: {e.strerror}; --host must "
                             "be an address of this machine, e.g. 127.0.0.1 (the default) or 0.0.0.0 (every "
                             "interface)") from None
        raise SystemExit(f"chainrule playground: cannot listen on {host}:{port}: {e.strerror}; "
                         "try another --port (0 picks a free one)") from None
    url = f"http://{host if ':' not in host else '[' + host + ']'}:{sock.getsockname()[1]}/"
    if token:
        url += f"?token={token}"
    where = f"on {workers} worker process{'es' if workers != 1 else ''}" if workers else "in this process"

    def ready():  # the URL is printed once the page can be used: every worker has started
        print(f"chainrule playground: {url}  (sessions run {where}; Ctrl+C to stop)", flush=True)
        if open_browser:
            with contextlib.suppress(Exception):
                webbrowser.open(url)

    app = create_app(workers=workers, token=token, max_sessions=max_sessions, on_ready=ready)
    config = uvicorn.Config(app, log_level=log_level, ws_max_size=1 << 20, ws_ping_interval=20)
    logging.getLogger("uvicorn.error").addFilter(_ClientFrameErrors())  # after Config has set up logging
    uvicorn.Server(config).run(sockets=[sock])

"""The playground's ASGI app: static single-page front end + one WebSocket per browser tab.

Each WebSocket gets its own ``Session`` (session.py) whose training runs on a worker thread, so the event
loop only moves messages: it validates what the browser sends (protocol.py) and forwards frames the
worker has already encoded. Sessions end when their socket closes, or after ``idle_timeout`` seconds
without a message from the browser (a reaper task closes them).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from importlib import resources
from pathlib import Path

from starlette.applications import Starlette
from starlette.responses import FileResponse, PlainTextResponse
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.staticfiles import StaticFiles
from starlette.websockets import WebSocket, WebSocketDisconnect

from .protocol import ProtocolError, parse_message

STATIC_DIR = Path(str(resources.files("chainrule.playground") / "static"))
MAX_SESSIONS = 32
OUTBOX_LIMIT = 64  # frames waiting to be sent; beyond this the worker is asked to slow down


def _error(exc: ProtocolError) -> str:
    return json.dumps({"type": "error", "message": str(exc), "field": exc.field})


class Registry:
    """The live sessions, for the idle reaper and the session cap."""

    def __init__(self):
        self.sessions: dict[str, tuple] = {}

    def add(self, sid, session, websocket):
        self.sessions[sid] = (session, websocket)

    def remove(self, sid):
        self.sessions.pop(sid, None)


def single_threaded_blas():
    """Limit BLAS to one thread for this process. The playground multiplies tiny matrices, where BLAS
    threads only fight each other and the training threads for the cores: on this 2-core machine one
    (10000×8)·(8×8) grid product took 0.04 ms single-threaded and up to 8 ms multi-threaded."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it, BLAS keeps its own thread count
        return
    threadpool_limits(1, user_api="blas")


def create_app(idle_timeout: float = 1800.0, reap_every: float = 30.0, session_cls=None) -> Starlette:
    """Build the app. ``session_cls`` defaults to ``chainrule.playground.session.Session``."""
    if session_cls is None:
        from .session import Session as session_cls
    single_threaded_blas()
    registry = Registry()

    async def index(request):
        return FileResponse(STATIC_DIR / "index.html", headers={"Cache-Control": "no-cache"})

    async def health(request):
        return PlainTextResponse(f"ok {len(registry.sessions)} sessions")

    async def websocket_endpoint(websocket: WebSocket):
        await websocket.accept()
        if len(registry.sessions) >= MAX_SESSIONS:
            await websocket.send_text(json.dumps({"type": "error", "field": None,
                                                  "message": "too many open playground tabs; close one"}))
            await websocket.close(code=1013)
            return
        loop = asyncio.get_running_loop()
        outbox: asyncio.Queue[str | None] = asyncio.Queue()

        def emit(text: str):  # called from the session's worker thread
            try:
                loop.call_soon_threadsafe(outbox.put_nowait, text)
            except RuntimeError:  # the server is shutting down: nobody is listening any more
                session.close()

        session = session_cls(emit=emit)
        registry.add(session.id, session, websocket)

        async def pump():
            while True:
                text = await outbox.get()
                if text is None:
                    return
                await websocket.send_text(text)

        sender = asyncio.create_task(pump())
        session.start()
        try:
            while True:
                event = await websocket.receive()
                if event["type"] == "websocket.disconnect":
                    break
                session.touch()
                try:
                    msg = parse_message(event.get("text") if event.get("text") is not None else b"")
                    session.submit(msg)
                except ProtocolError as exc:
                    await outbox.put(_error(exc))
        except (WebSocketDisconnect, RuntimeError):
            pass
        finally:
            session.close()
            registry.remove(session.id)
            outbox.put_nowait(None)
            with contextlib.suppress(Exception):
                await asyncio.wait_for(sender, timeout=2)

    async def reaper():
        while True:
            await asyncio.sleep(reap_every)
            now = time.monotonic()
            for sid, (session, ws) in list(registry.sessions.items()):
                if now - session.last_active > idle_timeout:
                    session.close()
                    registry.remove(sid)
                    with contextlib.suppress(Exception):
                        await ws.close(code=1001, reason="idle")

    @contextlib.asynccontextmanager
    async def lifespan(app):
        task = asyncio.create_task(reaper())
        yield
        task.cancel()
        for session, _ in list(registry.sessions.values()):
            session.close()

    app = Starlette(routes=[
        Route("/", index),
        Route("/health", health),
        WebSocketRoute("/ws", websocket_endpoint),
        Mount("/static", app=StaticFiles(directory=STATIC_DIR), name="static"),
    ], lifespan=lifespan)
    app.state.registry = registry
    return app


def serve(host: str = "127.0.0.1", port: int = 0, open_browser: bool = True, log_level: str = "warning"):
    """Run the playground until interrupted. Port 0 picks a free port; the URL is printed."""
    import sys
    import webbrowser

    # Training threads hold the GIL for long stretches; a shorter switch interval keeps the event loop
    # (which forwards frames and acknowledgements) responsive.
    sys.setswitchinterval(0.001)
    server, sock, url = make_server(host, port, log_level)
    print(f"chainrule playground: {url}  (Ctrl+C to stop)", flush=True)
    if open_browser:
        with contextlib.suppress(Exception):
            webbrowser.open(url)
    server.run(sockets=[sock])


def make_server(host: str = "127.0.0.1", port: int = 0, log_level: str = "warning"):
    """``(uvicorn.Server, its bound socket, the URL)``: ``server.run(sockets=[sock])`` serves it."""
    import errno
    import socket

    import uvicorn

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
    config = uvicorn.Config(create_app(), log_level=log_level, ws_max_size=1 << 20, ws_ping_interval=20)
    return uvicorn.Server(config), sock, url

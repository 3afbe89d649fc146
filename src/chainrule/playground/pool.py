"""The server's side of the workers: it starts them, gives each new tab to the worker with the fewest
sessions, forwards the tab's (validated) messages and routes the worker's replies into the tab's bounded
outbox (outbox.py). A worker that dies is started again; its tabs are told to reload.

``workers=0`` runs one worker on a thread of the server's own process (tests, debugging); ``workers=N``
starts N processes, so N sessions can train at the same time on N cores.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import multiprocessing
import secrets
import socket
import threading
import time

from . import worker as W
from .outbox import Outbox


class Client:
    """One browser tab: its session id, its outbox, the worker that runs it."""

    def __init__(self, link: WorkerLink):
        self.sid = secrets.token_hex(8).encode()
        self.outbox = Outbox()
        self.link = link
        self.last_active = time.monotonic()
        self.websocket = None


class WorkerLink:
    def __init__(self, index: int):
        self.index = index
        self.sessions: set[bytes] = set()
        self.process = None
        self.thread = None
        self.reader = self.writer = None
        self.task = None
        self.alive = False


class Pool:
    def __init__(self, workers: int = 0):
        self.n_workers = workers
        self.links: list[WorkerLink] = []
        self.clients: dict[bytes, Client] = {}
        self.stopping = False
        self._stats: dict[bytes, asyncio.Future] = {}

    # ------------------------------------------------------------------------------ workers
    async def start(self):
        self.links = [WorkerLink(i) for i in range(max(1, self.n_workers))]
        await asyncio.gather(*(self._spawn(link) for link in self.links))

    async def _spawn(self, link: WorkerLink):
        parent, child = socket.socketpair()
        if self.n_workers == 0:
            link.thread = threading.Thread(target=_thread_worker, args=(child,), name="playground-worker",
                                           daemon=True)
            link.thread.start()
        else:
            ctx = multiprocessing.get_context("spawn")  # a fresh interpreter: nothing of the server's state
            link.process = ctx.Process(target=W.worker_main, args=(child,), daemon=True,
                                       name=f"chainrule-playground-worker-{link.index}")
            await asyncio.get_running_loop().run_in_executor(None, link.process.start)
            child.close()
        link.reader, link.writer = await asyncio.open_connection(sock=parent)
        link.alive = True
        link.task = asyncio.create_task(self._read(link))

    async def _read(self, link: WorkerLink):
        try:
            while True:
                header = await link.reader.readexactly(W.HEADER.size)
                n, op, kind, sid = W.HEADER.unpack(header)
                payload = await link.reader.readexactly(n)
                if op == W.OUT:
                    self._deliver(sid, W.SERVER_MESSAGES[kind], payload.decode())
                elif op == W.STATS_REPLY:
                    future = self._stats.pop(sid, None)
                    if future is not None and not future.done():
                        future.set_result(json.loads(payload))
        except (asyncio.IncompleteReadError, ConnectionError):
            pass
        link.alive = False
        if not self.stopping:
            await self._lost(link)

    def _deliver(self, sid: bytes, kind: str, text: str):
        # a function of its own: while _read waits for the next message, no local keeps a gone tab alive
        client = self.clients.get(sid)
        if client is not None:
            client.outbox.put(kind, text)

    async def _lost(self, link: WorkerLink):
        """A worker died (killed, out of memory): its tabs must reload; a fresh worker takes its place."""
        for sid in list(link.sessions):
            client = self.clients.get(sid)
            if client is not None:  # the tab hears why, then its socket closes (server.py's pump)
                client.outbox.put("error", json.dumps({"type": "error", "field": None, "message":
                                  "the server's worker running this tab stopped; reload the page"}))
                client.outbox.finish()
        link.sessions.clear()
        with contextlib.suppress(Exception):
            link.writer.close()
        await self._spawn(link)

    async def stop(self):
        self.stopping = True
        for link in self.links:
            with contextlib.suppress(Exception):
                link.writer.write(W.frame(W.STOP, b"0" * 16))
                await link.writer.drain()
                link.writer.close()
        for link in self.links:
            if link.process is not None:
                await asyncio.get_running_loop().run_in_executor(None, link.process.join, 5)
                if link.process.is_alive():
                    link.process.terminate()
            if link.thread is not None:
                await asyncio.get_running_loop().run_in_executor(None, link.thread.join, 5)
            if link.task is not None:
                link.task.cancel()

    # ------------------------------------------------------------------------------ sessions
    async def open(self) -> Client:
        link = min((lk for lk in self.links if lk.alive), key=lambda lk: len(lk.sessions), default=None)
        if link is None:
            raise RuntimeError("no playground worker is running")
        client = Client(link)
        self.clients[client.sid] = client
        link.sessions.add(client.sid)
        await self._write(link, W.frame(W.OPEN, client.sid))
        return client

    async def send(self, client: Client, msg: dict):
        await self._write(client.link, W.frame(W.MESSAGE, client.sid, json.dumps(msg).encode()))

    async def close(self, client: Client):
        self.clients.pop(client.sid, None)
        client.link.sessions.discard(client.sid)
        client.outbox.close()
        await self._write(client.link, W.frame(W.CLOSE, client.sid))

    async def _write(self, link: WorkerLink, data: bytes):
        if not link.alive:
            return
        with contextlib.suppress(ConnectionError, RuntimeError):
            link.writer.write(data)
            await link.writer.drain()  # a worker reads between slices: this waits a few ms at most

    async def ready(self, timeout: float = 120.0):
        """Wait until every worker answers (a spawned interpreter imports numpy and chainrule first)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if all(w.get("pid") for w in await self.stats(timeout=5.0)):
                return
            await asyncio.sleep(0.05)
        raise RuntimeError(f"the playground's workers did not start within {timeout:.0f} s")

    async def stats(self, timeout: float = 5.0) -> list[dict]:
        """Each worker's pid, number of sessions, memory and CPU time per session."""
        out = []
        for link in self.links:
            sid = secrets.token_hex(8).encode()
            future = asyncio.get_running_loop().create_future()
            self._stats[sid] = future
            await self._write(link, W.frame(W.STATS, sid))
            try:
                out.append(await asyncio.wait_for(future, timeout))
            except asyncio.TimeoutError:
                self._stats.pop(sid, None)
                out.append({"pid": None, "sessions": len(link.sessions), "busy": True})
        return out


def _thread_worker(sock):
    W.Worker(sock).serve()

"""A worker: one process (or, with ``--workers 0``, one thread) that hosts many sessions and shares its
core between them fairly.

The scheduler is a single loop, so no two sessions ever run at once in a worker and nothing needs a lock.
It gives the next slice (``SLICE`` seconds) to the session with work to do that has used the least CPU time
so far (its *virtual time*), as Linux's fair scheduler does. Training is resumable batch by batch
(training.py), so a slice ends soon after its deadline whatever the network, and one student's huge network
gets the same share of the core as a small one. A session that was idle (paused, or waiting for its next
tick at TF Playground's pace) comes back at most ``BONUS`` seconds behind the others: being idle earns no
right to hold the core later.

The server talks to a worker over a socket with length-prefixed frames (``HEADER``): JSON messages only,
never pickle. Messages from browsers are validated by the server before they get here.
"""

from __future__ import annotations

import json
import os
import select
import signal
import struct
import time

import numpy as np

from .protocol import SERVER_MESSAGES, ProtocolError

HEADER = struct.Struct("!IBB16s")  # payload length, operation, message type, session id (16 ASCII characters)
# server → worker
OPEN, MESSAGE, CLOSE, STATS, STOP = 1, 2, 3, 4, 5
# worker → server
OUT, STATS_REPLY = 10, 11
KIND = {name: i for i, name in enumerate(SERVER_MESSAGES)}
SLICE = 0.004  # seconds of work a session gets before the next one's turn
BONUS = 0.02  # how far behind the busy sessions an idle one may come back


def frame(op: int, sid: bytes, payload: bytes = b"", kind: int = 0) -> bytes:
    return HEADER.pack(len(payload), op, kind, sid) + payload


def single_threaded_blas():
    """Limit BLAS to one thread in this process: the playground multiplies tiny matrices, where BLAS threads
    only fight each other and the sessions for the cores (one (10000×8)·(8×8) grid product took 0.04 ms
    single-threaded and up to 8 ms multi-threaded on a 2-core machine)."""
    try:
        from threadpoolctl import threadpool_limits
    except ImportError:  # optional: without it, BLAS keeps its own thread count
        return
    threadpool_limits(1, user_api="blas")


class Worker:
    def __init__(self, sock, session_cls=None, cpu_clock=time.thread_time):
        self.cpu_clock = cpu_clock  # what a slice costs a session: its CPU time (waiting for a core is free)
        if session_cls is None:
            from .session import Session as session_cls
        self.session_cls = session_cls
        self.sock = sock
        self.buf = bytearray()
        self.sessions: dict[bytes, object] = {}
        self.vtime: dict[bytes, float] = {}  # CPU time used, but an idle session's is lifted (BONUS)
        self.cpu: dict[bytes, float] = {}  # CPU time used, for /health and the benchmarks
        self.vclock = 0.0
        self.running = True

    # ------------------------------------------------------------------------------ the loop
    def serve(self):
        with np.errstate(all="ignore"):  # a diverging run overflows: it is reported, not warned about
            try:
                while self.running:
                    self._turn()
            finally:
                for s in self.sessions.values():
                    s.close()
                self.sessions.clear()
                self.sock.close()

    def _turn(self):
        now = time.perf_counter()
        ready = [sid for sid, s in self.sessions.items() if s.has_work(now)]
        if not ready:
            wakes = [t for t in (s.wake_time(now) for s in self.sessions.values()) if t is not None]
            self._receive(min(1.0, max(0.0, min(wakes, default=now + 1.0) - now)))
            return
        self._receive(0.0)
        for sid in ready:  # idle sessions come back at most BONUS behind
            if sid in self.vtime:
                self.vtime[sid] = max(self.vtime[sid], self.vclock - BONUS)
        ready = [sid for sid in ready if sid in self.sessions]  # one may have closed while receiving
        if not ready:
            return
        sid = min(ready, key=self.vtime.__getitem__)
        self.vclock = max(self.vclock, self.vtime[sid])
        cpu = self.cpu_clock()
        self.sessions[sid].run(time.perf_counter() + SLICE)
        used = self.cpu_clock() - cpu
        self.vtime[sid] += used
        self.cpu[sid] = self.cpu.get(sid, 0.0) + used

    # ------------------------------------------------------------------------------ the socket
    def _receive(self, timeout: float):
        readable, _, _ = select.select([self.sock], [], [], timeout)
        if not readable:
            return
        data = self.sock.recv(1 << 20)
        if not data:  # the server is gone: so is every session here
            self.running = False
            return
        self.buf += data
        while len(self.buf) >= HEADER.size:
            n, op, _, sid = HEADER.unpack_from(self.buf)
            if len(self.buf) < HEADER.size + n:
                break
            payload = bytes(self.buf[HEADER.size:HEADER.size + n])
            del self.buf[:HEADER.size + n]
            self._dispatch(op, sid, payload)

    def _dispatch(self, op, sid, payload):
        if op == MESSAGE:
            session = self.sessions.get(sid)
            if session is not None:
                try:
                    session.submit(json.loads(payload))
                except ProtocolError as e:
                    session.error(str(e), e.field)
        elif op == OPEN:
            session = self.session_cls(emit=lambda msg, sid=sid: self._emit(sid, msg), sid=sid.decode())
            self.sessions[sid] = session
            self.vtime[sid] = self.vclock
            session.start()
        elif op == CLOSE:
            session = self.sessions.pop(sid, None)
            self.vtime.pop(sid, None)
            self.cpu.pop(sid, None)
            if session is not None:
                session.close()
        elif op == STATS:
            stats = {"pid": os.getpid(), "sessions": len(self.sessions), "rssKiB": rss_kib(),
                     "cpu": {k.decode(): round(v, 4) for k, v in self.cpu.items()},
                     "queued": sum(len(s.inbox) for s in self.sessions.values())}
            try:
                self.sock.sendall(frame(STATS_REPLY, sid, json.dumps(stats).encode()))
            except OSError:
                self.running = False
        elif op == STOP:
            self.running = False

    def _emit(self, sid: bytes, msg: dict):
        if not self.running:
            return
        text = json.dumps(msg, separators=(",", ":"), allow_nan=False).encode()
        try:
            self.sock.sendall(frame(OUT, sid, text, KIND[msg["type"]]))
        except OSError:  # the server closed its end (it is stopping): stop too
            self.running = False


def rss_kib() -> int | None:
    """This process's resident memory (Linux), for the server's /health and the tests."""
    try:
        with open("/proc/self/status") as f:
            return next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
    except (OSError, StopIteration, ValueError):
        return None


def worker_main(sock):
    """Entry point of a worker process."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C stops the server, which then stops its workers
    single_threaded_blas()
    Worker(sock).serve()

"""Hostile and slow clients against the real server (``chainrule playground --workers 2``): 20 tabs send 10,000
messages (valid and malformed) while a client that never reads keeps asking for exports, and raw connections
send frames no client may send. Every malformed message gets an error reply, no connection is dropped for a
bad message, the memory of the server and its workers stays flat, sessions end with their sockets, and the
server's log holds no traceback (B4, B5)."""

import json
import os
import random
import socket
import threading
import time
import urllib.request

import pytest
import wsraw
from browsing import start_server, stop_server

pytestmark = pytest.mark.slow

TABS, PER_TAB = 20, 500
MALFORMED = ['{nope', '{"type": []}', "{}", '{"type": {}}', '{"type": null}', '{"type": "rm -rf"}',
             '{"type": "step", "x": 1}', '{"type": "config", "config": {"networkShape": [99]}}',
             '{"type": "config", "config": {"learningRate": 1' + "0" * 400 + "}}",
             '{"type": "config", "config": {"learningRate": NaN}}', '{"type": "config", "config": {"activation": 3}}',
             '{"type": "set_param", "kind": "code", "layer": 0, "row": 0, "value": 1}', '[1, 2]', '"play"',
             '{"type": "add_point", "x": 99, "y": 0, "label": 1, "split": "train"}', "", " " * 10]
VALID = [{"type": "step"}, {"type": "pause"}, {"type": "focus", "layer": 1, "neuron": 0},
         {"type": "config", "config": {"learningRate": 0.1}}, {"type": "config", "config": {"noise": 10}},
         {"type": "config", "config": {"networkShape": [3, 2], "batchSize": 5}}, {"type": "regenerate"},
         {"type": "set_param", "kind": "bias", "layer": 0, "row": 0, "value": 0.5}, {"type": "export", "what": "data"},
         {"type": "add_point", "x": 1.0, "y": 2.0, "label": 1, "split": "train"}, {"type": "ack", "frame": 3},
         {"type": "config", "config": {"hiddenView": 2}}]


def tree_rss_mib(pid: int) -> float:
    """Resident memory of a process and all its children (the server and its workers), in MiB."""
    children = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    ppid = int(f.read().rsplit(")", 1)[1].split()[1])
                children.setdefault(ppid, []).append(int(entry))
            except (OSError, ValueError, IndexError):
                pass
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        todo += children.get(p, [])
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total / 1024


def health(url):
    with urllib.request.urlopen(url + "health?workers=1", timeout=30) as r:
        return json.loads(r.read())


class Tab:
    """A client that reads everything (on its own thread), acknowledges frames and counts error replies."""

    def __init__(self, url):
        from websockets.sync.client import connect

        self.ws = connect(url.replace("http", "ws", 1) + "ws", max_size=1 << 23, open_timeout=60).__enter__()
        self.errors = self.dropped = self.frames = 0
        self.closed = None
        self.reader = threading.Thread(target=self.read, name="hostile-reader", daemon=True)
        self.reader.start()

    def read(self):
        try:
            for raw in self.ws:
                msg = json.loads(raw)
                if msg["type"] == "error":
                    self.errors += 1
                    self.dropped += msg.get("dropped", 0)
                elif msg["type"] == "frame":
                    self.frames += 1
                    self.ws.send(json.dumps({"type": "ack", "frame": msg["frame"]}))
        except Exception as e:  # noqa: BLE001 — recorded: a dropped connection fails the test
            self.closed = e

    def replies(self):
        return self.errors + self.dropped


def test_hostile_and_slow_clients(tmp_path):
    log_path = tmp_path / "server.log"
    with open(log_path, "w") as log:
        proc, url = start_server("--workers", "2", log=log)
    try:
        tabs = [Tab(url) for _ in range(TABS)]
        for t in tabs:
            t.ws.send(json.dumps({"type": "config", "config": {"seed": 3}}))
        deadline = time.monotonic() + 180
        while min(t.frames for t in tabs) == 0 and time.monotonic() < deadline:
            time.sleep(0.1)
        base = tree_rss_mib(proc.pid)

        # a tab that never reads: it plays flat out on 4,000 own points and asks for them as CSV again and again
        # (130 kB each); none of it is read
        lazy = wsraw.connect(url, rcvbuf=4096)
        rng = random.Random(0)
        csv = "\n".join(f"{rng.uniform(-5, 5):.3f},{rng.uniform(-5, 5):.3f},{rng.choice((-1, 1))}" for _ in range(4000))
        lazy.sendall(wsraw.text(json.dumps({"type": "load_csv", "text": csv})) + wsraw.text('{"type": "play"}')
                     + wsraw.text('{"type": "config", "config": {"speed": 0}}'))
        peak = [base]
        sampling = threading.Event()

        def sample():
            while not sampling.wait(0.2):
                peak[0] = max(peak[0], tree_rss_mib(proc.pid))
        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()

        sent_bad = [0] * TABS
        lazy_lock = threading.Lock()

        def hammer(i):
            rng = random.Random(i)
            t = tabs[i]
            for k in range(PER_TAB):
                if rng.random() < 0.4:
                    bad = rng.choice(MALFORMED)
                    (t.ws.send(bad.encode()) if k % 50 == 0 else t.ws.send(bad))  # some as binary frames
                    sent_bad[i] += 1
                else:
                    t.ws.send(json.dumps(rng.choice(VALID)))
                if k % 10 == 0:
                    with lazy_lock:
                        lazy.sendall(wsraw.text('{"type": "export", "what": "data"}'))
        threads = [threading.Thread(target=hammer, args=(i,)) for i in range(TABS)]
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and (any(t.replies() < n for t, n in zip(tabs, sent_bad))
                                               or any(w["queued"] for w in health(url)["workers"])):
            time.sleep(0.2)
        assert sum(sent_bad) > 0.3 * TABS * PER_TAB
        for t, n in zip(tabs, sent_bad):
            assert t.closed is None, f"a tab's connection was dropped: {t.closed!r}"
            assert t.replies() >= n  # an error reply for every malformed message (dropped ones counted)
        assert health(url)["sessions"] == TABS + 1
        after_flood = tree_rss_mib(proc.pid)

        # frames no client may send: each closes its own connection, and only that one
        for name, bad in wsraw.BAD_FRAMES.items():
            s = wsraw.connect(url)
            s.sendall(bad)
            s.settimeout(30)
            try:
                while s.recv(65536):
                    pass
            except ConnectionResetError:
                pass
            except TimeoutError:
                raise AssertionError(f"{name}: the server kept the connection open") from None
            s.close()
        host, port = url.split("//")[1].split("/")[0].rsplit(":", 1)
        with socket.create_connection((host, int(port))) as s:
            s.sendall(b"\x16\x03\x01 not HTTP at all\r\n\r\n")
            s.recv(1024)
        tabs[0].ws.send(json.dumps({"type": "step"}))  # the others go on
        assert tabs[0].closed is None

        lazy.close()
        for t in tabs:
            t.ws.close()
        deadline = time.monotonic() + 60
        while health(url)["sessions"] and time.monotonic() < deadline:
            time.sleep(0.1)
        stats = health(url)
        assert stats["sessions"] == 0 and all(w["sessions"] == 0 for w in stats["workers"])  # reaped
        sampling.set()
        end = tree_rss_mib(proc.pid)
        print(f"\nmemory of the server and its 2 workers: {base:.0f} MiB with 20 tabs, peak {peak[0]:.0f} MiB "
              f"during {TABS * PER_TAB} messages and a non-reading tab, {after_flood:.0f} MiB after, "
              f"{end:.0f} MiB when all had gone")
        assert peak[0] - base < 100 and end - base < 60  # flat (B5: a non-reader alone grew it 259 MB in 8 s)
    finally:
        stop_server(proc)
    text = log_path.read_text()
    assert "Traceback" not in text and "Exception" not in text, text[-3000:]

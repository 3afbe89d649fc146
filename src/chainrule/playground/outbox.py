"""What waits to be sent to one browser tab, bounded whatever the tab does.

A tab that reads slowly, or not at all, must not make the server hold an ever-growing queue. Most messages
describe a state, and only the newest state matters: a new ``frame``, ``data``, ``network``, ``status`` or
``hello`` replaces one of its type still waiting, and ``config`` updates (partial settings) merge into one.
Errors keep their order, at most ``MAX_ERRORS`` of them; more are counted, and the next error sent says how
many were dropped. At most ``MAX_FILES`` exports wait (the oldest goes). So an outbox holds at most a dozen
messages, and its size is bounded by the largest message of each type.
"""

from __future__ import annotations

import asyncio
import collections
import json

LATEST_ONLY = frozenset({"hello", "frame", "data", "network", "status"})
MAX_ERRORS = 32
MAX_FILES = 3


class Outbox:
    def __init__(self):
        self.items: collections.deque[tuple[str, str]] = collections.deque()
        self.dropped_errors = 0
        self.closed = False
        self.finishing = False  # send what is here, then end (the tab's session is gone)
        self._ready = asyncio.Event()

    def put(self, kind: str, text: str):
        items = self.items
        if kind in LATEST_ONLY:
            self._remove(lambda k: k == kind)
        elif kind == "config":
            merged = {}
            for k, t in items:
                if k == "config":
                    merged.update(json.loads(t)["config"])
            if merged:
                self._remove(lambda k: k == "config")
                merged.update(json.loads(text)["config"])
                text = json.dumps({"type": "config", "config": merged}, separators=(",", ":"))
        elif kind == "error":
            if sum(k == "error" for k, _ in items) >= MAX_ERRORS:
                self.dropped_errors += 1
                return
        elif kind == "file":
            files = [i for i, (k, _) in enumerate(items) if k == "file"]
            if len(files) >= MAX_FILES:
                del items[files[0]]
        self.items.append((kind, text))  # (_remove may have replaced the deque)
        self._ready.set()

    def _remove(self, match):
        kept = [(k, t) for k, t in self.items if not match(k)]
        if len(kept) != len(self.items):
            self.items = collections.deque(kept)

    async def get(self) -> str | None:
        """The next message to send; None once the outbox is closed."""
        while not self.items:
            if self.closed or self.finishing:
                return None
            self._ready.clear()
            await self._ready.wait()
        kind, text = self.items.popleft()
        if kind == "error" and self.dropped_errors:
            msg = json.loads(text)
            msg["dropped"] = self.dropped_errors  # the page says how many more it did not get
            self.dropped_errors = 0
            text = json.dumps(msg, separators=(",", ":"))
        return text

    def finish(self):
        self.finishing = True
        self._ready.set()

    def close(self):
        self.closed = True
        self.items.clear()
        self._ready.set()

    def __len__(self):
        return len(self.items)

    def nbytes(self) -> int:
        return sum(len(t) for _, t in self.items)

"""``RemovableHandle``: what every ``register_*hook`` returns (tensor hooks and module hooks alike)."""

from __future__ import annotations

import itertools

_ids = itertools.count()


class RemovableHandle:
    """``handle.remove()`` unregisters the hook (safe to call twice); as a context manager it removes the
    hook on exit. ``hooks`` is the dict the hook was stored in under ``handle.id``; ``extra`` are sets that
    also hold the id (e.g. which hooks take keyword arguments); ``on_remove`` runs after removal."""

    def __init__(self, hooks: dict, extra: tuple = (), on_remove=None):
        self.id = next(_ids)
        self._hooks, self._extra, self._on_remove = hooks, extra, on_remove

    def remove(self) -> None:
        self._hooks.pop(self.id, None)
        for s in self._extra:
            s.discard(self.id)
        if self._on_remove is not None:
            self._on_remove()

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.remove()

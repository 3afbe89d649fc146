"""The named tuples that max, min, sort, topk, median, histogram and linalg.qr return, printed as torch
prints its ``torch.return_types``: ``torch.return_types.max(\\nvalues=tensor(...),\\nindices=tensor(...))``
(``chainrule.return_types`` outside the torch shim)."""

from __future__ import annotations

from collections import namedtuple

from . import dtypes


def return_type(name: str, fields: list[str]) -> type:
    """A namedtuple class ``name`` with ``fields`` whose repr is torch's."""

    def __repr__(self):
        body = ",\n".join(f"{f}={v!r}" for f, v in zip(self._fields, self))
        return f"{dtypes.shown_module}.return_types.{name}(\n{body})"

    return type(name, (namedtuple(name, fields),), {"__slots__": (), "__repr__": __repr__})

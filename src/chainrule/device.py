"""``chainrule.device``: chainrule computes on the CPU (NumPy); other devices are refused clearly."""

from __future__ import annotations


class device:
    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        type = str(type)
        if ":" in type:
            type, idx = type.split(":", 1)
            index = int(idx) if idx.isdigit() else idx
        self.type, self.index = type, index
        _check_device(self)

    def __repr__(self):
        return f"device(type='{self.type}'" + (f", index={self.index})" if self.index is not None else ")")

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        return str(self) == str(other) or (isinstance(other, str) and self.type == other)

    def __hash__(self):
        return hash(str(self))


def _check_device(d):
    name = d.type if isinstance(d, device) else str(d).split(":")[0]
    if name != "cpu":
        raise RuntimeError(
            f"unknown or unsupported device {str(d)!r}: chainrule tensors live on the CPU (NumPy); use "
            f"device='cpu'"
        )

"""``chainrule.device`` and the one parser of device/dtype arguments (``Tensor.to``, ``Module.to``, factories).

As in PyTorch, ``device("cuda")`` is just a name and always constructs; using it (a tensor created or moved
there) needs a CUDA GPU that chainrule can reach (through CuPy), and says so clearly when there is none.
"""

from __future__ import annotations

from . import backend as B
from . import dtypes

_KNOWN = ("cpu", "cuda", "mps", "xpu", "meta", "hip")  # names torch accepts; chainrule computes on cpu/cuda


class device:
    """A device name: ``device("cpu")``, ``device("cuda")``, ``device("cuda:1")``, ``device("cuda", 1)``."""

    __slots__ = ("type", "index")

    def __init__(self, type="cpu", index=None):
        if isinstance(type, device):
            type, index = type.type, type.index
        if not isinstance(type, str):
            raise TypeError(f"device() expects a string such as 'cpu' or 'cuda:0', got {type.__class__.__name__}")
        if ":" in type:
            type, idx = type.split(":", 1)
            if not idx.isdigit():
                raise RuntimeError(f"Invalid device string: '{type}:{idx}' (the index after ':' must be a number)")
            index = int(idx)
        if type not in _KNOWN:
            raise RuntimeError(
                f"Expected one of {', '.join(_KNOWN)} device type at start of device string: {type}"
            )
        self.type, self.index = type, index

    def __repr__(self):
        return f"device(type='{self.type}'" + (f", index={self.index})" if self.index is not None else ")")

    def __str__(self):
        return self.type if self.index is None else f"{self.type}:{self.index}"

    def __eq__(self, other):
        if isinstance(other, str):
            try:
                other = device(other)
            except (RuntimeError, TypeError):
                return False
        return isinstance(other, device) and self.type == other.type and self.index == other.index

    def __hash__(self):
        return hash(str(self))


CPU = device("cpu")


def as_device(d) -> device:
    """A ``device`` from a string, an int (a CUDA index, as torch) or a device; checked to be usable here."""
    if isinstance(d, int) and not isinstance(d, bool):
        d = device("cuda", d)
    dev = d if isinstance(d, device) else device(d)
    check_available(dev)
    return dev


def check_available(d: device) -> None:
    if d.type == "cpu":
        return
    if d.type == "cuda" and B.cuda_available():
        return
    if d.type == "cuda":
        raise RuntimeError(
            f"unsupported device {str(d)!r}: no CUDA GPU is available to chainrule (CUDA runs through CuPy: "
            f"pip install 'chainrule[cuda]' on a machine with an NVIDIA GPU); use device='cpu'"
        )
    raise RuntimeError(f"unsupported device {str(d)!r}: chainrule computes on 'cpu' (NumPy) and 'cuda' (CuPy)")


def set_default_device(device_) -> None:
    """torch's ``set_default_device``: chainrule's factories create on the CPU, so ``'cpu'`` (or None) is
    accepted as it is; another device raises the error that using it raises (no CUDA GPU here)."""
    if device_ is None:
        return
    dev = as_device(device_)
    if dev.type != "cpu":
        raise RuntimeError(f"set_default_device({str(dev)!r}): chainrule's factories create on the CPU; move "
                           f"tensors and modules with .to({str(dev)!r}) instead")


def get_default_device() -> device:
    """The device where factories create tensors: always the CPU here."""
    return CPU


def parse_to(args, dtype=None, device_=None):
    """The arguments of ``.to(...)``: ``to(dtype)``, ``to(device)``, ``to(device, dtype)``, ``to(tensor)``
    (its dtype), with ``dtype=`` / ``device=`` keywords. Returns ``(device or None, dtype or None)``."""
    for a in args:
        if isinstance(a, device) or isinstance(a, int) and not isinstance(a, bool):
            device_ = a
        elif isinstance(a, str):
            if a.split(":")[0] not in _KNOWN:
                raise TypeError(
                    f"to(): {a!r} is neither a dtype (chainrule.float32, float64, int64, bool, ...) nor a device "
                    f"('cpu', 'cuda')"
                )
            device_ = a
        elif hasattr(a, "dtype") and hasattr(a, "requires_grad"):  # a Tensor: its dtype, as torch
            dtype = a.dtype
        else:
            dtype = a
    dev = as_device(device_) if device_ is not None else None
    if dtype is not None:
        try:
            dtype = dtypes.as_dtype(dtype)
        except TypeError:
            raise TypeError(
                f"to(): {dtype!r} is neither a dtype (chainrule.float32, float64, int64, bool, ...) nor a device "
                f"('cpu', 'cuda')"
            ) from None
    return dev, dtype

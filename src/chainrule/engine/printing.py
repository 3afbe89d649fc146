"""Printing tensors the way PyTorch does: ``tensor([1.0000, 2.5000], requires_grad=True)``."""

from __future__ import annotations

from . import backend as B
from . import dtypes


def _float_formatter(a):
    finite = a[B.xp.isfinite(a)]
    if finite.size == 0:
        return lambda x: f"{x}"
    amax = float(B.xp.abs(finite).max())
    nz = B.xp.abs(finite[finite != 0])
    amin = float(nz.min()) if nz.size else 0.0
    if (finite == B.xp.round(finite)).all() and amax < 1e8:
        return lambda x: f"{x:.0f}." if B.xp.isfinite(x) else f"{x}"
    if amax >= 1e8 or (amin and amin < 1e-4) or (amin and amax / amin > 1000):
        return lambda x: f"{x:.4e}"
    return lambda x: f"{x:.4f}"


def tensor_repr(t) -> str:
    a = B.to_numpy(t._array)
    kind = a.dtype.kind
    if kind == "f" and a.size:
        f = _float_formatter(a)
        # torch right-aligns every element to the widest one; the widest is an extreme or a nan/inf
        cands = [a.min(), a.max(), a[B.xp.isfinite(a)].min(initial=0), a[B.xp.isfinite(a)].max(initial=0)]
        width = max(len(f(v)) for v in cands)
        fmt = {"float_kind": lambda v: f(v).rjust(width)}
    elif kind == "b":
        fmt = {"bool": lambda x: "True" if x else "False"}
    else:
        fmt = None
    threshold = 1000
    body = B.xp.array2string(
        a, separator=", ", prefix="tensor(", formatter=fmt, threshold=threshold, edgeitems=3, max_line_width=80
    )
    extras = []
    dt = dtypes.from_np(a.dtype)
    if dt not in (dtypes.get_default_dtype(), dtypes.int64, dtypes.bool):
        extras.append(f"dtype={dt}")
    if a.size == 0:
        extras.insert(0, f"size={tuple(a.shape)}")
    if t.grad_fn is not None:
        extras.append(f"grad_fn=<{t.grad_fn.name()}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    return "tensor(" + body + "".join(", " + e for e in extras) + ")"

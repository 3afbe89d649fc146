"""Numbers and tensors as the slides write them: ``3``, ``−12``, ``1.1``, ``1.80``, ``0.73``, ``[64×10, ‖·‖ = 3.2]``.

The rule ("rounded sensibly"): a value that is exact at ``digits`` decimals prints in its shortest form
(``3``, ``1.1``, ``0.48``); any other value is rounded to ``digits`` decimals and keeps its trailing zeros,
so a reader can tell that it was rounded (L = 1.805 prints ``1.80``, σ = 0.7311 prints ``0.73``). A value
below the display precision keeps significant digits, in scientific notation when it is tiny (0.0012,
3e−20): a gradient that is not zero never prints as 0. Huge values switch to scientific notation too
(1.23e6). Negative numbers use the typographic minus sign (U+2212), as the slides do.
"""

from __future__ import annotations

import math

import numpy as np

MINUS = "\u2212"
SMALL = 6  # tensors with at most this many elements are printed in full; larger ones by shape and norm


def number(v, digits: int = 2) -> str:
    """One number, rounded sensibly (see the module docstring); never "0" for a value that is not zero."""
    v = float(v)
    if math.isnan(v):
        return "nan"
    if math.isinf(v):
        return "∞" if v > 0 else MINUS + "∞"
    if v == 0:
        return "0"
    r = round(v, digits)
    if r != 0 and abs(v - r) <= 1e-9 * max(1.0, abs(v)):  # exact at this precision (up to float noise)
        s = _scientific(r, digits + 1) if abs(r) >= 1e6 else f"{r:.{digits}f}".rstrip("0").rstrip(".")
    elif abs(v) < 10.0**-digits or r == 0:
        s = _scientific(v, max(digits, 1))  # below the display precision: 0.0012, 3e−20, never 0
    elif abs(v) >= 1e6:
        s = _scientific(v, digits + 1)
    else:
        s = f"{v:.{digits}f}"
    return s.replace("-", MINUS)


def _scientific(v, significant):
    """``v`` with ``significant`` significant digits: 0.0012, 1.2e−7, 3e20 (no "+", no leading zeros in the
    exponent)."""
    s = f"{v:.{significant}g}"
    mantissa, e, exponent = s.partition("e")
    return f"{mantissa}e{int(exponent)}" if e else s


def shape(s) -> str:
    return "×".join(str(n) for n in s) if len(s) else "scalar"


def value(a, digits: int = 2) -> str:
    """A scalar as a number, a small tensor in full (``[0.39, −0.59]``), a large one as ``[64×10, ‖·‖ = 3.2]``."""
    if isinstance(a, (list, tuple)):
        return "(" + ", ".join(value(x, digits) for x in a) + ")"
    a = np.asarray(a)
    if a.dtype == bool:
        return f"mask {shape(a.shape)}" if a.size > 1 else ("true" if a.item() else "false")
    if a.size == 1:
        return number(a.reshape(()).item(), digits)
    if a.size <= SMALL and a.ndim <= 2:
        return _nested(a, digits)
    return f"[{shape(a.shape)}, ‖·‖ = {number(float(np.linalg.norm(a.astype(float))), digits)}]"


def is_small(a) -> bool:
    a = np.asarray(a)
    return a.size <= SMALL


def _nested(a, digits):
    if a.ndim == 1:
        return "[" + ", ".join(number(x, digits) for x in a) + "]"
    return "[" + ", ".join(_nested(row, digits) for row in a) + "]"


def precise(v) -> str:
    """A number with 7 significant digits, for the gradient check (where rounding would hide the point)."""
    return f"{float(v):.7g}".replace("-", MINUS)

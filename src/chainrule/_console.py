"""Text for terminals that cannot show every character: chainrule prints → ∂ − · σ …, and a terminal (or a
pipe) whose encoding lacks them gets an ASCII spelling instead of a UnicodeEncodeError.

``to_ascii(text)`` spells a string in ASCII; ``ascii_fallback(stream)`` makes a text stream do it by itself
for whatever it cannot encode (the ``chainrule`` command does it for stdout and stderr).
"""

from __future__ import annotations

import codecs
from typing import TextIO

__all__ = ["ASCII", "to_ascii", "safe_for", "ascii_fallback"]

MINUS = "\u2212"
# the characters chainrule prints, spelled in ASCII; anything else that cannot be encoded becomes "?"
ASCII = {"∂": "d", MINUS: "-", "·": "*", "⊙": "*", "‖": "|", "Σ": "sum ", "σ": "sigmoid", "√": "sqrt",
         "²": "^2", "³": "^3", "×": "x", "✓": "ok", "✗": "X", "∞": "inf", "ᵀ": "^T", "→": "->", "←": "<-",
         "…": "...", "±": "+/-", "—": "--", "–": "-", "≈": "~", "≥": ">=", "≤": "<=", "≠": "!=", "█": "#",
         "░": ".", "▏": "|", "μ": "mu", "η": "eta", "λ": "lambda", "β": "beta", "ε": "eps", "α": "alpha",
         "γ": "gamma", "θ": "theta", "⁻": "^-", "¹": "^1", "⁰": "^0", "°": " deg", "’": "'", "“": '"', "”": '"'}
_HANDLER = "chainrule-ascii"


def to_ascii(text: str) -> str:
    return "".join(ASCII.get(c, c if c.isascii() else "?") for c in text)


def _spell(err: UnicodeError) -> tuple[str, int]:
    if not isinstance(err, UnicodeEncodeError):
        raise err
    return to_ascii(err.object[err.start:err.end]), err.end


codecs.register_error(_HANDLER, _spell)


def safe_for(stream: object, text: str) -> str:
    """``text`` as ``stream`` can encode it: unchanged where it can, with ASCII spellings where it cannot."""
    enc = getattr(stream, "encoding", None) or "utf-8"
    try:
        return text.encode(enc, _HANDLER).decode(enc)
    except LookupError:  # an encoding Python does not know
        return to_ascii(text)


def ascii_fallback(stream: TextIO) -> None:
    """Let ``stream`` write what its encoding cannot hold in ASCII spellings (a no-op where it can: UTF-8)."""
    enc = getattr(stream, "encoding", None) or "utf-8"
    try:
        "→∂−·σ…".encode(enc)
        return
    except (UnicodeEncodeError, LookupError):
        pass
    reconfigure = getattr(stream, "reconfigure", None)
    if reconfigure is not None:
        try:
            reconfigure(errors=_HANDLER)
        except (ValueError, OSError):  # a stream that cannot change now: leave it as it is
            pass

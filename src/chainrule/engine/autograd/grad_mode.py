"""Grad modes: ``no_grad`` / ``enable_grad`` / ``set_grad_enabled``, anomaly detection, and the per-thread
switches the engine reads on every op (``_Mode``)."""

from __future__ import annotations

import threading
import traceback
from collections.abc import Callable
from contextlib import contextmanager
from functools import wraps
from pathlib import Path
from typing import Any, TypeVar

from ..backend import xp

_PACKAGE_DIR = str(Path(__file__).parents[2])  # src/chainrule: frames inside it are the library's


class _ThreadMode(threading.local):
    """Grad mode and friends are per thread, as in PyTorch: ``no_grad`` in one thread (a playground tab
    drawing a frame) must not switch off recording in another (a tab training). The class attributes are
    every thread's starting values."""

    grad = True  # is_grad_enabled()
    anomaly = False  # detect_anomaly()
    recorder = None  # chainrule.explain.record(): called as recorder(node, inputs, kwargs, outputs)
    slow = False  # anomaly or recorder: the per-node extra work in Function.apply (one check on the fast path)


_Mode = _ThreadMode()


def _update_slow():
    _Mode.slow = _Mode.anomaly or _Mode.recorder is not None


# ----------------------------------------------------------------------------------------------- modes
_F = TypeVar("_F", bound=Callable[..., Any])


class _GradMode:
    """Base of no_grad/enable_grad: a context manager that is also a decorator."""

    _value = True

    def __enter__(self) -> None:
        self._prev = _Mode.grad
        _Mode.grad = self._value

    def __exit__(self, *exc: object) -> bool:
        _Mode.grad = self._prev
        return False

    def __call__(self, fn: _F) -> _F:
        @wraps(fn)
        def wrapper(*args, **kwargs):
            with self.__class__():
                return fn(*args, **kwargs)

        return wrapper  # type: ignore[return-value]


class _BareDecorator(_GradMode):
    """``@no_grad`` works without the parentheses too, as in torch."""

    def __new__(cls, orig_func: Any = None) -> Any:
        if orig_func is None:
            return super().__new__(cls)
        return cls()(orig_func)


class no_grad(_BareDecorator):
    """Operations inside record no graph (evaluation, manual parameter updates)."""

    _value = False


class enable_grad(_BareDecorator):
    """Re-enables recording inside a ``no_grad`` block."""

    _value = True


class set_grad_enabled(_GradMode):
    def __init__(self, mode: bool) -> None:
        self._value = bool(mode)
        self._prev = _Mode.grad
        _Mode.grad = self._value  # like torch: takes effect as a function call too

    def __enter__(self) -> None:
        pass


def is_grad_enabled() -> bool:
    return _Mode.grad


class AnomalyError(RuntimeError):
    pass


@contextmanager
def detect_anomaly():
    """Inside, the first op whose forward or backward produces NaN/Inf raises, naming the op and the
    line of user code that created it. Slow (records a stack per op); for debugging only."""
    prev = _Mode.anomaly
    _Mode.anomaly = True
    _update_slow()
    try:
        yield
    finally:
        _Mode.anomaly = prev
        _update_slow()


def set_detect_anomaly(mode: bool):
    """Switch anomaly detection on or off (for this thread) until switched again: ``detect_anomaly`` as a
    plain call, as torch's ``torch.autograd.set_detect_anomaly(True)``."""
    _Mode.anomaly = bool(mode)
    _update_slow()


def _user_frame() -> str:
    """The innermost stack frame outside chainrule, as 'file:line: code'."""
    pkg = _PACKAGE_DIR
    for fr in reversed(traceback.extract_stack()[:-1]):
        if not fr.filename.startswith(pkg):
            return f"{fr.filename}:{fr.lineno}: {fr.line}"
    return "<unknown>"


def _check_finite(node, arrays, phase):
    for a in arrays:
        if a is not None and hasattr(a, "dtype") and a.dtype.kind == "f" and not xp.isfinite(a).all():
            where = getattr(node, "_created_at", None) or "<unknown>"
            raise AnomalyError(
                f"{node.name()} produced NaN/Inf in its {phase} pass. The op was created at {where}"
            )


def _slow_path(node, inputs, kwargs, outputs):
    """Per-node extra work, only while detect_anomaly() or chainrule.explain.record() is active."""
    if _Mode.anomaly:
        node._created_at = _user_frame()
        _check_finite(node, outputs, "forward")
    if _Mode.recorder is not None:
        _Mode.recorder(node, inputs, kwargs, outputs)

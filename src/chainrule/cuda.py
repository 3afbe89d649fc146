"""``chainrule.cuda``: the GPU, through CuPy (``pip install 'chainrule[cuda]'`` on a machine with an NVIDIA GPU).

    device = "cuda" if chainrule.cuda.is_available() else "cpu"
    model.to(device); x = x.to(device)

Without CuPy or a GPU, ``is_available()`` is False and every line above still runs (on the CPU), as in
PyTorch. ``CUDAGraph`` / ``graph`` capture a training step with CUDA stream capture and replay it
(engine/cuda_graph.py); ``chainrule.Graph`` is the same idea on the CPU.
"""

from __future__ import annotations

from .engine import backend as _B
from .engine import rng as _rng
from .engine.capture import graph
from .engine.cuda_graph import CUDAGraph

__all__ = ["is_available", "device_count", "current_device", "get_device_name", "synchronize", "manual_seed",
           "manual_seed_all", "CUDAGraph", "graph", "Event"]


def is_available() -> bool:
    """Whether chainrule can compute on a CUDA GPU (CuPy installed and a GPU visible)."""
    return _B.cuda_available()


def device_count() -> int:
    cp = _B.cuda_module()
    return 0 if cp is None else int(cp.cuda.runtime.getDeviceCount())


def current_device() -> int:
    cp = _B._cuda()
    return int(cp.cuda.Device().id)


def get_device_name(device=None) -> str:
    cp = _B._cuda()
    index = device if isinstance(device, int) else getattr(device, "index", None) or 0
    return cp.cuda.runtime.getDeviceProperties(index)["name"].decode()


def synchronize(device=None) -> None:
    """Wait for every kernel queued on the GPU (timing code calls it before reading the clock)."""
    cp = _B.cuda_module()
    if cp is not None:
        cp.cuda.Stream.null.synchronize()


def manual_seed(seed: int) -> None:
    """Seed the current GPU's default generator (``chainrule.manual_seed`` seeds every device's)."""
    if _B.cuda_available():
        _rng.cuda_default_generator(0).manual_seed(int(seed))


def manual_seed_all(seed: int) -> None:
    """Seed every GPU's default generator."""
    if _B.cuda_available():
        for i in range(device_count()):
            _rng.cuda_default_generator(i).manual_seed(int(seed) + i)


class Event:
    """``torch.cuda.Event(enable_timing=True)``: ``record()``, then ``start.elapsed_time(end)`` in ms."""

    def __init__(self, enable_timing=False, blocking=False, interprocess=False):
        self._event = _B._cuda().cuda.Event(disable_timing=not enable_timing)

    def record(self, stream=None):
        self._event.record(stream)

    def synchronize(self):
        self._event.synchronize()

    def elapsed_time(self, end):
        return _B._cuda().cuda.get_elapsed_time(self._event, end._event)

"""``chainrule.cuda``: chainrule computes on the CPU (NumPy), so no CUDA device is ever available.

It exists so that the usual device-selection and seeding lines of PyTorch code run unchanged:
``device = "cuda" if torch.cuda.is_available() else "cpu"``; ``torch.cuda.manual_seed_all(0)``.
"""


def is_available():
    return False


def device_count():
    return 0


def manual_seed(seed):
    """Nothing to seed on a CPU-only library (``chainrule.manual_seed`` seeds everything)."""


manual_seed_all = manual_seed


from .engine.capture import Graph as CUDAGraph  # noqa: E402,F401 - torch.cuda.CUDAGraph / torch.cuda.graph's names
from .engine.capture import graph  # noqa: E402,F401

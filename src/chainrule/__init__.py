"""chainrule: a readable deep-learning library with a PyTorch-compatible API.

    import chainrule as cr
    x = cr.tensor(-2.0, requires_grad=True); y = cr.tensor(5.0, requires_grad=True)
    z = cr.tensor(-4.0, requires_grad=True)
    f = (x + y) * z
    f.backward()            # x.grad = -4, y.grad = -4, z.grad = 3

The tensor functions (``cr.exp``, ``cr.sum``, ``cr.reshape``, ...) come from the engine's namespace
modules (src/chainrule/engine/: elementwise, reduction, shape, indexing, linalg, sorting, creation).
"""

from types import SimpleNamespace as _NS

from . import autograd, cuda, data, nn, optim, utils  # noqa: I001 - subpackages are attributes, as torch.nn
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .engine import *  # noqa: F403 - Tensor, the dtypes' helpers and every tensor function (engine.__all__)
from .engine import linalg  # torch.linalg: matmul, qr, ...
from .engine.device import device as _device
from .engine.dtypes import bool, float16, float32, float64, int32, int64, uint8  # noqa: A004 - torch's names
from .serialization import load, save

float = float32  # noqa: A001 - torch's aliases
double = float64
half = float16
long = int64
int = int32  # noqa: A001

accelerator = _NS(is_available=cuda.is_available, device_count=cuda.device_count,
                  current_accelerator=lambda check_available=False: _device("cuda") if cuda.is_available() else None)
backends = _NS(mps=_NS(is_available=lambda: False, is_built=lambda: False),  # no Apple GPU backend
               cudnn=_NS(deterministic=False, benchmark=False))
inference_mode = no_grad  # torch's faster no_grad; here the same thing
pi, e, inf, nan = 3.141592653589793, 2.718281828459045, 1e999, 1e999 - 1e999  # (float is a dtype here)

__version__ = "0.1.0"


def sweep(*args, **kwargs):
    """Run a sweep of training runs (grid, random or Optuna search; local processes or Dask) and return
    its ``SweepResult``: ``chainrule.sweeps.sweep`` (imported on first use: the core stays light)."""
    from .sweeps import sweep as run

    return run(*args, **kwargs)


def __getattr__(name):  # chainrule.onnx and chainrule.safetensors load on first use, as torch.onnx does
    if name in ("onnx", "safetensors"):
        import importlib

        return importlib.import_module(f".{name}", __name__)
    raise AttributeError(f"module 'chainrule' has no attribute {name!r}")

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

from . import autograd as autograd  # noqa: I001
from . import cuda as cuda
from . import data as data
from . import nn as nn
from . import optim as optim
from . import utils as utils
from .autograd import enable_grad as enable_grad  # noqa: I001
from .autograd import is_grad_enabled as is_grad_enabled
from .autograd import no_grad as no_grad
from .autograd import set_grad_enabled as set_grad_enabled
from .engine import *  # noqa: F403 - Tensor, the dtypes' helpers and every tensor function (engine.__all__)
from .engine import linalg as linalg  # torch.linalg: matmul, qr, ...
from .engine.creation import *  # noqa: F403 - these repeat engine's: type checkers read their literal __all__
from .engine.device import device as _device
from .engine.dtypes import bool as bool  # noqa: A004
from .engine.dtypes import float16 as float16
from .engine.dtypes import float32 as float32
from .engine.dtypes import float64 as float64
from .engine.dtypes import int32 as int32  # torch's names
from .engine.dtypes import int64 as int64
from .engine.dtypes import uint8 as uint8
from .engine.elementwise import *  # noqa: F403
from .engine.indexing import *  # noqa: F403
from .engine.linalg import *  # noqa: F403
from .engine.reduction import *  # noqa: F403
from .engine.shape import *  # noqa: F403
from .engine.sorting import *  # noqa: F403
from .serialization import load as load
from .serialization import save as save

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

"""The engine: tensors and the chain rule. It imports nothing from the rest of chainrule.

    backend.py      the device seam: the array module holding a tensor's data (NumPy; CuPy on CUDA)
    dtypes.py       chainrule.float32, ... (NumPy dtypes under torch's names)
    rng.py          Generator, manual_seed, as_rng: every random draw goes through it
    torch_random.py torch's mt19937 and its transforms (rng.py's torch kind); torch_mathfun.py its float math
    device.py       chainrule.device and the one parser of device/dtype arguments
    hooks.py        RemovableHandle, returned by every register_*hook
    autograd/       Function, grad modes, the backward graph walk, gradcheck
    ops/            the primitives: one Function each, forward and derivative side by side
    tensor.py       Tensor: attributes, operators, conversions, autograd methods, in-place writes
    capture.py      Graph / graph(): record a step's array operations once, replay them (CUDA-graph style)
    printing.py     how a tensor prints (torch's format)
    creation.py     tensor, zeros, randn, arange, ...
    arguments.py    dims, shapes and scalars as the namespace functions accept them
    elementwise.py  reduction.py  shape.py  indexing.py  linalg.py  sorting.py
                    torch's functions, by concept (chainrule.exp, chainrule.sum, ...)
    methods.py      the one table that attaches those functions to Tensor as methods (x.sum(), ...)

Import order is the dependency order: nothing imports a module listed after it.
"""

from . import (
    autograd,
    backend,
    dtypes,
    methods,  # noqa: E402,F401,I001 - attaches the namespace functions to Tensor (after all of them)
    ops,
)
from .capture import CaptureError, Graph, graph, is_capturing
from .creation import *  # noqa: F403
from .creation import __all__ as _creation
from .device import device, get_default_device, set_default_device
from .dtypes import dtype, get_default_dtype, set_default_dtype
from .elementwise import *  # noqa: F403
from .elementwise import __all__ as _elementwise
from .indexing import *  # noqa: F403
from .indexing import __all__ as _indexing
from .linalg import *  # noqa: F403
from .linalg import __all__ as _linalg
from .reduction import *  # noqa: F403
from .reduction import __all__ as _reduction
from .rng import Generator, default_generator, initial_seed, manual_seed, use_torch_random_streams
from .shape import *  # noqa: F403
from .shape import __all__ as _shape
from .sorting import *  # noqa: F403
from .sorting import __all__ as _sorting
from .tensor import Size, Tensor

FUNCTIONS = (*_creation, *_elementwise, *_reduction, *_shape, *_indexing, *_linalg, *_sorting)

__all__ = [
    "Tensor", "Size", "device", "dtype", "get_default_dtype", "set_default_dtype", "Generator", "Graph", "graph",
    "is_capturing", "CaptureError", "get_default_device", "set_default_device",
    "default_generator", "initial_seed", "manual_seed", "use_torch_random_streams", *FUNCTIONS,
]

"""chainrule: a readable deep-learning library with a PyTorch-compatible API.

    import chainrule as cr
    x = cr.tensor(-2.0, requires_grad=True); y = cr.tensor(5.0, requires_grad=True)
    z = cr.tensor(-4.0, requires_grad=True)
    f = (x + y) * z
    f.backward()            # x.grad = -4, y.grad = -4, z.grad = 3
"""

from . import autograd, data, nn, optim, utils  # subpackages are attributes, as torch.nn / torch.optim
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (
    arange,
    as_tensor,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    normal,
    ones,
    ones_like,
    rand,
    randint,
    randn,
    randperm,
    tensor,
    zeros,
    zeros_like,
)
from .device import device
from .dtypes import (
    bool,
    dtype,
    float16,
    float32,
    float64,
    get_default_dtype,
    int32,
    int64,
    set_default_dtype,
    uint8,
)
from .random import Generator, default_generator, initial_seed, manual_seed
from .serialization import load, save
from .tensor import Size, Tensor, matmul
from .tensor_methods import (
    abs,
    allclose,
    amax,
    amin,
    argmax,
    argmin,
    bmm,
    cat,
    clamp,
    clamp_max,
    clamp_min,
    clip,
    concat,
    concatenate,
    cos,
    dot,
    equal,
    exp,
    expand,
    flatten,
    floor,
    isclose,
    isfinite,
    isnan,
    log,
    log_softmax,
    logsumexp,
    max,
    maximum,
    mean,
    min,
    minimum,
    mm,
    neg,
    norm,
    numel,
    permute,
    pow,
    reciprocal,
    relu,
    reshape,
    round,
    rsqrt,
    sigmoid,
    sign,
    sin,
    softmax,
    sqrt,
    square,
    squeeze,
    stack,
    std,
    sum,
    t,
    tanh,
    transpose,
    unsqueeze,
    var,
    where,
)

float = float32  # noqa: A001 - torch's aliases
double = float64
half = float16
long = int64
int = int32  # noqa: A001

__version__ = "0.1.0"

"""chainrule: a readable deep-learning library with a PyTorch-compatible API.

    import chainrule as cr
    x = cr.tensor(-2.0, requires_grad=True); y = cr.tensor(5.0, requires_grad=True)
    z = cr.tensor(-4.0, requires_grad=True)
    f = (x + y) * z
    f.backward()            # x.grad = -4, y.grad = -4, z.grad = 3
"""

from types import SimpleNamespace as _NS

from . import autograd, cuda, data, nn, optim, utils  # subpackages are attributes, as torch.nn / torch.optim
from .autograd import enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from .creation import (
    arange,
    as_tensor,
    bernoulli,
    empty,
    empty_like,
    eye,
    from_numpy,
    full,
    full_like,
    linspace,
    multinomial,
    normal,
    ones,
    ones_like,
    rand,
    rand_like,
    randint,
    randint_like,
    randn,
    randn_like,
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
from .tensor import Size, Tensor
from .tensor_indexing import (
    broadcast_to,
    chunk,
    diag,
    flip,
    fliplr,
    flipud,
    gather,
    ger,
    hstack,
    index_select,
    masked_fill,
    meshgrid,
    moveaxis,
    movedim,
    narrow,
    outer,
    roll,
    row_stack,
    scatter,
    select,
    split,
    take_along_dim,
    tensor_split,
    tile,
    trace,
    tril,
    triu,
    unbind,
    vstack,
)
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
from .tensor_pointwise import (
    add,
    all,
    any,
    ceil,
    cosh,
    div,
    divide,
    eq,
    erf,
    exp2,
    expm1,
    fix,
    floor_divide,
    frac,
    ge,
    greater,
    greater_equal,
    gt,
    is_floating_point,
    is_tensor,
    le,
    lerp,
    less,
    less_equal,
    log1p,
    log2,
    log10,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    lt,
    matmul,
    mul,
    multiply,
    nan_to_num,
    ne,
    not_equal,
    remainder,
    sinh,
    sub,
    subtract,
    tan,
    true_divide,
    trunc,
)
from .tensor_sorting import (
    argsort,
    argwhere,
    bincount,
    count_nonzero,
    cumsum,
    median,
    nonzero,
    prod,
    sort,
    topk,
    unique,
)

float = float32  # noqa: A001 - torch's aliases
double = float64
half = float16
long = int64
int = int32  # noqa: A001

accelerator = _NS(is_available=cuda.is_available, device_count=cuda.device_count,
                  current_accelerator=lambda check_available=False: None)
backends = _NS(mps=_NS(is_available=cuda.is_available), cudnn=_NS(deterministic=False, benchmark=False))
inference_mode = no_grad  # torch's faster no_grad; here the same thing
pi, e, inf, nan = 3.141592653589793, 2.718281828459045, 1e999, 1e999 - 1e999  # (float is a dtype here)

__version__ = "0.1.0"


def sweep(*args, **kwargs):
    """Run a sweep of training runs (grid, random or Optuna search; local processes or Dask) and return
    its ``SweepResult``: ``chainrule.sweeps.sweep`` (imported on first use: the core stays light)."""
    from .sweeps import sweep as run

    return run(*args, **kwargs)

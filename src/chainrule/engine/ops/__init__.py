"""The primitives: one ``Function`` per operation, its forward and its vector-jacobian product side by side.

Each ``backward(ctx, g)`` receives g = ∂L/∂out and returns ∂L/∂input for every input (None where
``needs_input_grad`` is False). Gradients may have the broadcast shape: the engine sums them back to each
input's shape (``autograd.graph.unbroadcast``). Primitives see raw arrays (``Primitive._arrays``). Every
other operation (sub, div, mean, relu's in-place form, softmax, the losses, ...) is a composite of these, in
the namespace modules (engine/elementwise.py, reduction.py, ...) or in nn.functional. Nothing else in
chainrule writes a derivative.
"""

from ..autograd.function import Primitive  # noqa: F401 - the base class, for isinstance checks
from .conv import AvgPool, Conv, Fold, MaxPool, Unfold
from .elementwise import (
    Abs,
    Add,
    Cast,
    Clone,
    Cos,
    Div,
    Erf,
    Exp,
    Expm1,
    Log,
    Log1p,
    Maximum,
    Minimum,
    Mul,
    Neg,
    Pow,
    Relu,
    Sigmoid,
    Sin,
    Softplus,
    Tanh,
    ToDevice,
    Where,
)
from .linalg import MatMul
from .nn import BatchNorm, CrossEntropy, Linear, MseLoss, NllLoss
from .reduction import Amax, CumSum, LogSoftmax, MaxDim, Prod, Sum
from .shape import Cat, Expand, GetItem, IndexPut, Permute, Reshape

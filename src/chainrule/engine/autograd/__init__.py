"""The chain rule, mechanised: ``Function`` (a node: forward + backward), grad modes, the graph walk.

    grad_mode.py   no_grad / enable_grad / set_grad_enabled, anomaly detection (per thread)
    function.py    Function and Function.apply: how an op records its node
    graph.py       backward() and grad(): the reverse walk, unbroadcasting, delivery into leaf .grad
    gradcheck.py   the derivative against finite differences (imported by chainrule.autograd, not here:
                   it is a tool built on Tensor)
"""

from . import function, graph
from .function import (  # noqa: F401 - the explainer replays nodes and walks the engine's edges
    AccumulateGrad,
    Function,
    ShownNode,
    _call_user_backward,
    graph_edges,
    labelled,
)
from .grad_mode import (
    AnomalyError,
    _Mode,
    detect_anomaly,
    enable_grad,
    is_grad_enabled,
    no_grad,
    set_detect_anomaly,
    set_grad_enabled,
)
from .graph import backward, grad, unbroadcast


def bind_tensor_type(tensor_type, wrap):
    """Called once by engine/tensor.py: the walk and ``apply`` create Tensors through ``wrap`` (a module
    global each, because a function-level import would cost a microsecond per op)."""
    for module in (function, graph):
        module.Tensor, module._wrap = tensor_type, wrap

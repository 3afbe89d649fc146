"""``chainrule.autograd``, as ``torch.autograd``: Function, grad modes, backward/grad, gradcheck.

The machinery lives in src/chainrule/engine/autograd/ (grad_mode.py, function.py, graph.py, gradcheck.py).
"""

# the explainer's seam (explain/graph.py): its recorder switch, and replaying one node's backward;
# labelled: torch's grad_fn name for a composite's last node (nn's losses and layers print as torch's);
# graph_edges: a node's own edges (next_functions shows torch's view of them)
from .engine.autograd import (  # noqa: F401
    AnomalyError,
    Function,
    _call_user_backward,
    backward,
    detect_anomaly,
    enable_grad,
    grad,
    graph_edges,
    is_grad_enabled,
    labelled,
    no_grad,
    set_detect_anomaly,
    set_grad_enabled,
    unbroadcast,
)
from .engine.autograd.grad_mode import _Mode, _update_slow  # noqa: F401
from .engine.autograd.gradcheck import GradcheckError, gradcheck
from .engine.tensor import Tensor


def Variable(data, requires_grad=False, volatile=False):  # noqa: N802 - torch's (pre-0.4) name
    """The old PyTorch wrapper, kept so that old tutorials run: as torch's, a new leaf tensor that shares
    ``data``'s memory (``data.detach()``), with ``requires_grad`` as asked; ``data`` itself is unchanged."""
    if not isinstance(data, Tensor):
        raise TypeError(f"Variable(data): data must be a Tensor, got {type(data).__name__}")
    return data.detach().requires_grad_(requires_grad)


__all__ = [
    "AnomalyError", "Function", "GradcheckError", "Variable", "backward", "detect_anomaly", "enable_grad",
    "grad", "gradcheck", "is_grad_enabled", "no_grad", "set_detect_anomaly", "set_grad_enabled",
]

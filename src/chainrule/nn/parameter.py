"""Parameter: a Tensor that a Module registers as learnable (requires grad by default)."""

from __future__ import annotations

from ..engine import Tensor, as_tensor


class Parameter(Tensor):
    """A Tensor that a Module registers as learnable: assigning one to a module attribute adds it to
    ``parameters()`` and ``state_dict()``. Requires grad by default."""

    __slots__ = ()

    def __init__(self, data=None, requires_grad=True) -> None:
        self.data = data if isinstance(data, Tensor) else as_tensor([] if data is None else data)
        if requires_grad and not self.is_floating_point():
            raise RuntimeError(
                f"Parameter: only floating point tensors can require gradients, got dtype {self.dtype.name}; "
                f"make it float (e.g. Parameter(x.float())) or pass requires_grad=False"
            )
        self.grad = None
        self.grad_fn = None
        self.requires_grad = bool(requires_grad)
        self._out_idx = 0
        self._hooks = None

    def __repr__(self) -> str:
        return "Parameter containing:\n" + super().__repr__()

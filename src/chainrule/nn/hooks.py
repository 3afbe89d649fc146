"""Module hooks with PyTorch's signatures: look at (or change) what flows into and out of a module.

    h = layer.register_forward_pre_hook(lambda mod, args: ...)           # before forward; may return new args
    h = layer.register_forward_hook(lambda mod, args, out: ...)          # after forward; may return a new output
    h = layer.register_full_backward_pre_hook(lambda mod, grad_out: ...) # may return a new grad_output
    h = layer.register_full_backward_hook(lambda mod, grad_in, grad_out: ...)  # may return a new grad_input
    h.remove()

The backward hooks work like torch's ``BackwardHook``: the module's tensor inputs and outputs pass through
an identity ``Function``; the one on the outputs records ∂L/∂output, the one on the inputs receives every
∂L/∂input at once (one node, several outputs) and calls the hooks with both, so a hook can replace them.
When no input requires grad, the hooks run as soon as ∂L/∂output is known, with ``grad_input`` all None.
"""

from __future__ import annotations

from collections import OrderedDict

from ..autograd import Function, is_grad_enabled
from ..engine.hooks import RemovableHandle
from ..engine.tensor import Tensor


class _BackwardHookState:
    """One forward call's bookkeeping: which args were tensors that need grad, and ∂L/∂output once known."""

    def __init__(self, module, n_args):
        self.module, self.n_args = module, n_args
        self.input_index = None  # positions of args that pass through _InputHook
        self.grad_outputs = None
        self.output_index = ()

    def run_hooks(self, grad_inputs):
        m = self.module
        for hook in list(m._backward_hooks.values()):
            res = hook(m, grad_inputs, self.grad_outputs)
            if res is None:
                continue
            if self.input_index is None:
                if not (isinstance(res, tuple) and all(r is None for r in res)):
                    raise RuntimeError(
                        "Backward hook for Modules where no input requires gradient should always return None "
                        "or None for all gradients."
                    )
                continue
            res = res if isinstance(res, tuple) else (res,)
            if len(res) != len(grad_inputs):
                raise RuntimeError(
                    f"Backward hook of {type(m).__name__} returned an invalid number of grad_input, got "
                    f"{len(res)}, but expected {len(grad_inputs)}"
                )
            grad_inputs = res
        return grad_inputs


class _InputHook(Function):
    """Identity on the module's inputs; its backward sees every ∂L/∂input together and runs the hooks."""

    @staticmethod
    def forward(ctx, *tensors, state=None):
        ctx.state = state
        return tensors if len(tensors) > 1 else tensors[0]

    @staticmethod
    def backward(ctx, *grads):
        st = ctx.state
        grad_inputs = [None] * st.n_args
        for pos, g in zip(st.input_index, grads):
            grad_inputs[pos] = g
        grad_inputs = st.run_hooks(tuple(grad_inputs))
        out = tuple(grad_inputs[pos] for pos in st.input_index)
        return out if len(out) > 1 else out[0]


class _OutputHook(Function):
    """Identity on the module's outputs; its backward records ∂L/∂output (after the backward pre-hooks)."""

    @staticmethod
    def forward(ctx, *tensors, state=None):
        ctx.state = state
        return tensors if len(tensors) > 1 else tensors[0]

    @staticmethod
    def backward(ctx, *grads):
        st = ctx.state
        m = st.module
        for hook in list(m._backward_pre_hooks.values()):
            res = hook(m, grads)
            if res is not None:
                res = res if isinstance(res, tuple) else (res,)
                if len(res) != len(grads):
                    raise RuntimeError(
                        f"Backward pre hook of {type(m).__name__} returned {len(res)} grad_output, expected "
                        f"{len(grads)}"
                    )
                grads = res
        st.grad_outputs = grads
        if st.input_index is None and m._backward_hooks:
            st.run_hooks((None,) * st.n_args)
        return grads if len(grads) > 1 else grads[0]


def _setup_inputs(state, args):
    idx = [i for i, a in enumerate(args) if isinstance(a, Tensor) and a.requires_grad]
    if not idx:
        return args
    state.input_index = idx
    new = _InputHook.apply(*[args[i] for i in idx], state=state)
    new = new if isinstance(new, tuple) else (new,)
    args = list(args)
    for i, t in zip(idx, new):
        args[i] = t
    return tuple(args)


def _setup_outputs(state, out):
    outs = out if isinstance(out, tuple) else (out,)
    idx = [i for i, o in enumerate(outs) if isinstance(o, Tensor) and o.requires_grad]
    if not idx:
        return out
    new = _OutputHook.apply(*[outs[i] for i in idx], state=state)
    new = new if isinstance(new, tuple) else (new,)
    outs = list(outs)
    for i, t in zip(idx, new):
        outs[i] = t
    return tuple(outs) if isinstance(out, tuple) else outs[0]


class ModuleHooksMixin:
    """The hook half of ``Module``; the dicts are created on first registration (nothing to pay otherwise)."""

    def _hook_dict(self, name):
        d = self.__dict__.get(name)
        if d is None:
            d = OrderedDict()
            self.__dict__[name] = d
        return d

    def _refresh_hooks_flag(self):
        d = self.__dict__
        d["_hooks_on"] = any(d.get(n) for n in ("_forward_pre_hooks", "_forward_hooks", "_backward_hooks",
                                                "_backward_pre_hooks"))

    def _register(self, dict_name, hook, prepend=False, with_kwargs=False):
        hooks = self._hook_dict(dict_name)
        kw = self._hook_dict("_hooks_with_kwargs")
        kw.setdefault(dict_name, set())
        handle = RemovableHandle(hooks, (kw[dict_name],), self._refresh_hooks_flag)
        hooks[handle.id] = hook
        if with_kwargs:
            kw[dict_name].add(handle.id)
        if prepend:
            hooks.move_to_end(handle.id, last=False)
        self._hook_dict("_backward_hooks")  # the backward Functions look these up unconditionally
        self._hook_dict("_backward_pre_hooks")
        self._refresh_hooks_flag()
        return handle

    def register_forward_pre_hook(self, hook, *, prepend=False, with_kwargs=False):
        """``hook(module, args) -> None or new args`` runs before ``forward`` (``with_kwargs=True``:
        ``hook(module, args, kwargs) -> None or (args, kwargs)``)."""
        return self._register("_forward_pre_hooks", hook, prepend, with_kwargs)

    def register_forward_hook(self, hook, *, prepend=False, with_kwargs=False):
        """``hook(module, args, output) -> None or new output`` runs after ``forward`` (``with_kwargs=True``:
        ``hook(module, args, kwargs, output)``)."""
        return self._register("_forward_hooks", hook, prepend, with_kwargs)

    def register_full_backward_hook(self, hook, prepend=False):
        """``hook(module, grad_input, grad_output) -> None or new grad_input``: grad_input holds ∂L/∂arg
        for each positional argument of ``forward`` (None where it is not a tensor that requires grad)."""
        return self._register("_backward_hooks", hook, prepend)

    def register_full_backward_pre_hook(self, hook, prepend=False):
        """``hook(module, grad_output) -> None or new grad_output`` runs when ∂L/∂output is known."""
        return self._register("_backward_pre_hooks", hook, prepend)

    def _call_with_hooks(self, args, kwargs):
        d = self.__dict__
        kw = d.get("_hooks_with_kwargs", {})
        pre = d.get("_forward_pre_hooks")
        if pre:
            kw_ids = kw.get("_forward_pre_hooks", ())
            for hid, hook in list(pre.items()):
                if hid in kw_ids:
                    res = hook(self, args, kwargs)
                    if res is not None:
                        if not (isinstance(res, tuple) and len(res) == 2):
                            raise RuntimeError(
                                "forward pre-hook registered with with_kwargs=True must return None or a tuple "
                                f"of (new_args, new_kwargs), but got {res!r}"
                            )
                        args, kwargs = res
                else:
                    res = hook(self, args)
                    if res is not None:
                        args = res if isinstance(res, tuple) else (res,)
        state = None
        if is_grad_enabled() and (d.get("_backward_hooks") or d.get("_backward_pre_hooks")):
            state = _BackwardHookState(self, len(args))
            args = _setup_inputs(state, args)
        out = self.forward(*args, **kwargs)
        post = d.get("_forward_hooks")
        if post:
            kw_ids = kw.get("_forward_hooks", ())
            for hid, hook in list(post.items()):
                res = hook(self, args, kwargs, out) if hid in kw_ids else hook(self, args, out)
                if res is not None:
                    out = res
        if state is not None:
            out = _setup_outputs(state, out)
        return out

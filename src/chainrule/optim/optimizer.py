"""Optimizer: the base class of every optimizer (torch.optim.Optimizer's API).

An optimizer holds

* ``param_groups``: a list of dicts, each with ``"params"`` (a list of Parameters) and that group's
  hyperparameters (``lr``, ``momentum``, ...); a group may override any of ``defaults``;
* ``state``: per-parameter state, created lazily at the first step that parameter has a gradient, under
  PyTorch's names (``momentum_buffer``, ``sum``, ``square_avg``, ``acc_delta``, ``grad_avg``, ``exp_avg``,
  ``exp_avg_sq``, ``max_exp_avg_sq``, ``step``).

The base class owns the loop: ``step()`` visits every group and hands its parameters that have a gradient to
``_update_group(group, params)``, which by default calls the subclass's ``_update(p, grad, group)`` for each,
under ``no_grad``: the update rule in in-place Tensor methods (``p.add_(g, alpha=-lr)``), its state in
``self.state[p]`` (``_state(p, group)`` creates it with ``_init_state`` at the first step). chainrule's own
optimizers override ``_update_group`` with a *kernel*: a function of the group's raw arrays that updates them in
place with ufuncs and ``out=`` into one scratch array per optimizer (``_workspace``), so that a step allocates
nothing the size of a parameter, called through ``_run`` (inside a CPU capture the call itself is recorded: a
replay runs the same function on the same arrays, the eager step's numbers bit for bit). Step-dependent rates
(Adam's bias corrections) are Python floats for host arrays and device scalars for CUDA arrays (``_rate``), so
a captured CUDA step recomputes them and an eager one never waits for the GPU. Hyperparameters are validated once,
when a group is added, never per step.

``state_dict()`` has PyTorch's layout: ``{"state": {index: {name: Tensor}}, "param_groups": [{..., "params":
[index, ...]}]}`` where ``index`` numbers the parameters across groups in order. It holds copies (torch's
holds references), so a state dict kept in memory is a snapshot; ``chainrule.save`` writes it to a file.
"""

from __future__ import annotations

import copy
import math
from collections import defaultdict
from itertools import chain
from typing import Any

from ..autograd import enable_grad, no_grad
from ..engine import CaptureError, Tensor, as_tensor, dtypes, is_capturing, tensor, zeros_like
from ..engine import backend as B
from ..engine.backend import xp
from ..engine.capture import current as current_capture


class _RequiredParameter:
    """Marks a hyperparameter without a default (``lr`` in old torch): a group must set it."""

    def __repr__(self) -> str:
        return "<required parameter>"


required = _RequiredParameter()


_LABELS = {"lr": "learning rate", "eps": "epsilon value"}


def _require_nonnegative(group, *keys):
    """torch's range checks and messages (``ValueError: Invalid learning rate: -1``); NaN is refused too."""
    for k in keys:
        if not 0.0 <= group[k]:
            raise ValueError(f"Invalid {_LABELS.get(k, k + ' value')}: {group[k]}")


def _step_tensor(value=0.0, device=None):
    """torch keeps ``step`` as a 0-d float32 tensor (float64 when that is the default dtype); chainrule keeps it
    on the parameter's device (torch's ``capturable=True``), so a captured CUDA step can count on the GPU."""
    double = dtypes.get_default_dtype() == dtypes.float64
    return tensor(value, dtype=dtypes.float64 if double else dtypes.float32, device=device)


def _zeros_like(p):
    return zeros_like(p).detach()


_TORCH_FLAGS = ("foreach", "fused", "capturable", "differentiable")


def _torch_flags(name, flags):
    """torch's implementation switches (``foreach``, ``fused``, ``capturable``, ``differentiable``): accepted and
    not stored (chainrule has one implementation, always capturable); a differentiable step is refused."""
    for k, v in flags.items():
        if k not in _TORCH_FLAGS:
            raise TypeError(f"{name}.__init__() got an unexpected keyword argument {k!r}")
        if k == "differentiable" and v:
            raise ValueError(f"{name}: differentiable=True (autograd through the optimizer step) is not supported")


def _run(kernel, arrays, *args):
    """``kernel(*arrays, *args)``: an optimizer's update of a group on raw arrays, in place (``arrays``: lists with
    one array per parameter, or None). Inside a capture the capture runs it: a CPU graph records the call itself
    (one tape entry per group; replay calls the same function on the same arrays), a CUDA graph records the
    kernels it launches."""
    capture = current_capture()
    if capture is None:
        kernel(*arrays, *args)
    else:
        capture.call(kernel, arrays, args)


def _rate(step, fn, dtype):
    """A step-dependent rate ``fn(t)`` (Adam's bias corrections) for the step count ``step`` (a 0-d array): a Python
    float for a host array; for a CUDA array a 0-d device array of ``dtype``, computed from t in float64 on the
    device, so that a captured step recomputes it and an eager one never waits for the GPU (torch's capturable)."""
    if B.on_host(step):
        return fn(float(step))
    return fn(step.astype("float64")).astype(dtype)


def _lerp(a, b, weight, ws):
    """a ← a + weight·(b − a) in place, rounded as torch's lerp (and Tensor.lerp_): from a when weight < ½, back
    from b otherwise (exact at 0 and 1). ``ws``: scratch shaped like a."""
    xp.subtract(b, a, out=ws)
    if weight < 0.5:
        ws *= weight
        a += ws
    else:
        ws *= 1 - weight
        xp.subtract(b, ws, out=a)


def _gradient(p, g, maximize, weight_decay):
    """The gradient an update rule uses: −g when maximizing, plus λθ with an L2 penalty λ (a new array then:
    the parameter's ``.grad`` itself is never modified)."""
    if maximize:
        g = -g
    if weight_decay:
        g = g + p * weight_decay
    return g


def _average_square(v, g, beta, ws):
    """v ← β v + (1 − β) g² in place, rounded as torch's ``v.mul_(β).addcmul_(g, g, value=1 − β)`` (RMSprop's,
    Adadelta's and Adam's second moment). ``ws``: scratch shaped like v."""
    v *= beta
    xp.multiply(g, 1 - beta, out=ws)
    ws *= g
    v += ws


def _sqrt(x):
    """√x of a Python float (math.sqrt) or of a device scalar."""
    return math.sqrt(x) if isinstance(x, float) else x**0.5


class Optimizer:
    """Base class: ``Optimizer(params, defaults)``; ``params`` is an iterable of Parameters, of
    ``(name, Parameter)`` pairs, or of dicts (parameter groups) with a ``"params"`` entry."""

    def __init__(self, params, defaults) -> None:
        name = type(self).__name__
        for k, v in defaults.items():  # a str (e.g. lr read from a config file) would fail later, obscurely
            if isinstance(v, str):
                raise TypeError(f"{name}: {k} must be a number, got the string {v!r}")
        if hasattr(params, "parameters") and callable(params.parameters) and not isinstance(params, Tensor):
            raise TypeError(
                f"{name} got a {type(params).__name__} module as params; pass its parameters: "
                f"{name}(model.parameters(), ...)"
            )
        self.defaults = defaults
        self._validate(defaults)
        self.state = defaultdict(dict)
        self.param_groups = []
        if isinstance(params, Tensor):
            raise TypeError(
                "params argument given to the optimizer should be an iterable of Tensors or dicts, but got "
                "a Tensor; wrap it in a list: Optimizer([p], ...)"
            )
        groups = list(params)
        if len(groups) == 0:
            raise ValueError("optimizer got an empty parameter list")
        if not isinstance(groups[0], dict):
            groups = [{"params": groups}]
        for group in groups:
            self.add_param_group(group)

    # ------------------------------------------------------------------------------ hyperparameters
    def _validate(self, group):
        """Raise ValueError for an out-of-range hyperparameter in ``group`` (subclasses extend)."""

    def __repr__(self) -> str:
        lines = [self.__class__.__name__ + " ("]
        for i, group in enumerate(self.param_groups):
            lines.append(f"Parameter Group {i}")
            lines += [f"    {k}: {group[k]}" for k in sorted(group) if k != "params"]
        return "\n".join(lines) + "\n)"

    def add_param_group(self, param_group) -> None:
        """Add a group of parameters with its own hyperparameters (missing ones come from ``defaults``)."""
        if not isinstance(param_group, dict):
            raise TypeError(f"param_group must be a dict, but got {type(param_group).__name__}")
        params = param_group["params"]
        if isinstance(params, Tensor):
            params = [params]
        elif isinstance(params, set):
            raise TypeError(
                "optimizer parameters need to be organized in ordered collections, but the ordering of "
                "tensors in sets will change between runs. Please use a list instead."
            )
        else:
            params = list(params)
        names = [p[0] for p in params if isinstance(p, tuple)]
        params = [p[1] if isinstance(p, tuple) else p for p in params]
        group = dict(param_group)
        group["params"] = params
        if names:
            if len(names) != len(params):
                raise ValueError("all optimizer params should be with/without names. Some param names are missing")
            group["param_names"] = names
        for i, p in enumerate(params):
            if not isinstance(p, Tensor):
                raise TypeError(f"optimizer can only optimize Tensors, but parameter {i} is {type(p).__name__}")
            if p.grad_fn is not None:
                raise ValueError("can't optimize a non-leaf Tensor")
            if not p.is_floating_point():
                raise ValueError(f"can't optimize a tensor of dtype {p.dtype}: parameters must be floating point")
        for name, default in self.defaults.items():
            if default is required and name not in group:
                raise ValueError(f"parameter group didn't specify a value of required optimization parameter {name}")
            group.setdefault(name, default)
        self._validate(group)
        if len({id(p) for p in params}) != len(params):
            raise ValueError("optimizer contains a parameter group with duplicate parameters")
        seen = {id(p) for g in self.param_groups for p in g["params"]}
        if any(id(p) in seen for p in params):
            raise ValueError("some parameters appear in more than one parameter group")
        for g in self.param_groups:
            if ("param_names" in g) != ("param_names" in group):
                raise ValueError("all optimizer param groups should be with/without names")
        self.param_groups.append(group)

    # ------------------------------------------------------------------------------------ gradients
    def zero_grad(self, set_to_none=True) -> None:
        """Forget the gradients: ``p.grad = None`` (default), or fill them with zeros in place."""
        for group in self.param_groups:
            for p in group["params"]:
                if p.grad is not None:
                    if set_to_none:
                        p.grad = None
                    else:
                        p.grad.detach_().zero_()

    def step(self, closure=None) -> Any:
        """Update every parameter that has a gradient (``_update``, the subclass's rule); ``closure()`` (if
        given) recomputes and returns the loss, which step returns."""
        loss = None
        if closure is not None:
            with enable_grad():
                loss = closure()
        capture = current_capture()
        if capture is not None:
            self._guard_hyperparameters(capture)
        for group in self.param_groups:
            params = [p for p in group["params"] if p.grad is not None]
            if params:
                self._update_group(group, params)
        return loss

    def _update_group(self, group, params):
        """Update the parameters of ``group`` that have a gradient. By default ``_update(p, p.grad, group)`` for
        each, under ``no_grad`` (a subclass's per-parameter rule in Tensor operations); chainrule's optimizers
        override it with one kernel call over the group's arrays (``_run``), which records nothing."""
        with no_grad():
            for p in params:
                self._update(p, p.grad, group)

    def _update(self, p, grad, group):
        """Apply the update rule to one parameter (in place, called under ``no_grad``)."""
        raise NotImplementedError(f"{type(self).__name__} must implement _update(p, grad, group)")

    def _arrays(self, params, name=None, k=None):
        """The arrays of ``params`` (``name``: of a state entry; ``k``: their scratch arrays number k)."""
        if k is not None:
            return [self._workspace(p, k) for p in params]
        if name is None:
            arrays = [p._array for p in params]
            for i, a in enumerate(arrays):
                if B.is_read_only(a):  # (data read from a file, an expanded view): the parameter gets its own copy
                    p = params[i]
                    p._array = arrays[i] = B.unrecorded(a).copy()
            return arrays
        state = self.state
        return [state[p][name]._array for p in params]

    def _workspace(self, p, k=0):
        """Scratch array number ``k`` shaped like ``p``: a view of one buffer per (k, dtype, device), shared by every
        parameter of this optimizer and reused at every step (a kernel's temporaries: none is allocated per step)."""
        a = p._array
        views = self.__dict__.setdefault("_workspace_views", {})  # (p, k) -> (its array, the view): the step's path
        seen = views.get((p, k))
        if seen is not None and seen[0] is a:
            return seen[1]
        plain = B.unrecorded(a)
        key = (k, plain.dtype.str, B.device_of(plain))
        spaces = self.__dict__.setdefault("_workspaces", {})
        buf = spaces.get(key)
        if buf is None or buf.size < plain.size:
            buf = spaces[key] = B.unrecorded(B.empty((plain.size,), plain.dtype, like=plain))
        view = buf[: plain.size].reshape(plain.shape)
        views[(p, k)] = (a, view)
        return view

    def _state(self, p, group):
        """``self.state[p]``, created by ``_init_state`` at the parameter's first step."""
        st = self.state[p]
        if not st:
            if is_capturing():
                raise _warm_up_first(type(self).__name__)
            self._init_state(p, group, st)
        return st

    def _guard_hyperparameters(self, capture):
        """A captured step bakes in the hyperparameters: replay refuses if one has changed since."""
        snapshot = [{k: v for k, v in g.items() if k != "params"} for g in self.param_groups]

        def unchanged():
            return all({k: v for k, v in g.items() if k != "params"} == s
                       for g, s in zip(self.param_groups, snapshot))

        capture.guard(unchanged, f"{type(self).__name__}: a hyperparameter (e.g. the learning rate, which a scheduler "
                                 f"changes) differs from the captured step's; capture the step again after the change")

    def _init_state(self, p, group, state):
        """Fill a parameter's empty state dict with the optimizer's buffers (torch's names)."""

    # ------------------------------------------------------------------------------------ state dict
    def state_dict(self) -> dict[str, Any]:
        """``{"state": {index: {name: value}}, "param_groups": [{hyperparameters..., "params": [index]}]}``."""
        index = {}
        groups = []
        for group in self.param_groups:
            packed = {k: copy.deepcopy(v) for k, v in group.items() if k != "params"}
            for p in group["params"]:
                index.setdefault(id(p), len(index))
            packed["params"] = [index[id(p)] for p in group["params"]]
            groups.append(packed)
        state = {}
        for p, s in self.state.items():
            if id(p) in index and s:
                state[index[id(p)]] = {k: _copy_value(v) for k, v in s.items()}
        return {"state": state, "param_groups": groups}

    def load_state_dict(self, state_dict) -> None:
        """Load ``state_dict()``'s output (this optimizer's or a torch optimizer's, with the same parameter
        layout): hyperparameters and state; stepping on continues the saved trajectory exactly."""
        if not isinstance(state_dict, dict) or "state" not in state_dict or "param_groups" not in state_dict:
            raise ValueError("optimizer state_dict must be a dict with 'state' and 'param_groups' entries")
        saved_groups = state_dict["param_groups"]
        if len(saved_groups) != len(self.param_groups):
            raise ValueError(
                f"loaded state dict has a different number of parameter groups ({len(saved_groups)}) "
                f"than the optimizer ({len(self.param_groups)})"
            )
        for i, (g, s) in enumerate(zip(self.param_groups, saved_groups)):
            if len(g["params"]) != len(s["params"]):
                raise ValueError(
                    f"loaded state dict contains a parameter group ({i}) that doesn't match the size of "
                    f"optimizer's group: {len(s['params'])} saved parameters, {len(g['params'])} here"
                )
        id_map = dict(zip(chain.from_iterable(s["params"] for s in saved_groups),
                          chain.from_iterable(g["params"] for g in self.param_groups)))
        state = defaultdict(dict)
        for key, values in state_dict["state"].items():
            key = int(key)
            if key not in id_map:
                raise ValueError(f"loaded state dict has state for parameter {key}, which no group lists")
            p = id_map[key]
            state[p] = {name: _load_value(p, key, name, v) for name, v in values.items()}
        new_groups = []
        for group, saved in zip(self.param_groups, saved_groups):
            new = {k: copy.deepcopy(v) for k, v in saved.items() if k != "params"}
            new["params"] = group["params"]
            if "param_names" in group and "param_names" not in new:
                new["param_names"] = group["param_names"]
            for k, v in self.defaults.items():
                new.setdefault(k, v)
            if isinstance(new.get("betas"), list):  # a JSON-like round trip turns tuples into lists
                new["betas"] = tuple(new["betas"])
            self._validate(new)
            new_groups.append(new)
        self.state = state
        self.param_groups = new_groups


def _warm_up_first(name):
    return CaptureError(
        f"{name} creates a parameter's state (momentum, averages) at its first step, and a captured step must "
        f"not create state: run one eager step before capturing (torch.cuda.graphs' warm-up rule)"
    )


def _copy_value(v):
    if isinstance(v, Tensor):
        return v.detach().clone()
    return copy.deepcopy(v)


def _load_value(p, index, name, v):
    """A saved state entry as a Tensor of the parameter's dtype and shape (``step`` stays a float scalar)."""
    if isinstance(v, Tensor):
        t = v.detach()
    elif hasattr(v, "__array__") or isinstance(v, (int, float)):
        t = tensor(v) if isinstance(v, (int, float)) else as_tensor(v)  # a NumPy array, a number, a torch tensor
    else:
        return copy.deepcopy(v)
    if name == "step":
        if t.numel() != 1:
            raise ValueError(f"loaded state for parameter {index}: 'step' must be a single number, "
                             f"got shape {tuple(t.shape)}")
        return _step_tensor(float(t.reshape(())), p.device)
    if tuple(t.shape) != tuple(p.shape):
        raise ValueError(
            f"loaded state for parameter {index}: {name!r} has shape {tuple(t.shape)}, expected "
            f"{tuple(p.shape)} (the parameter's shape); the checkpoint belongs to another model"
        )
    return t.to(p.device, p.dtype, copy=True)

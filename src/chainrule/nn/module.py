"""Module: the base class of every layer and network, with torch.nn.Module's semantics.

Assigning a ``Parameter`` attribute registers it as learnable, assigning a ``Module`` registers a child,
``register_buffer`` registers state that is saved but not learned (BatchNorm's running statistics).
``state_dict()`` names everything with dotted paths exactly as PyTorch does (``"0.weight"`` inside a
``Sequential``), so weights move between the two libraries by name.

Speed note: registered parameters, buffers and children are also kept in the instance ``__dict__``, so
``self.weight`` is a plain attribute lookup (torch goes through ``__getattr__``), and ``__call__`` is a single
flag test away from ``forward`` when no hooks are registered: small networks pay per-call overhead.
"""

from __future__ import annotations

from collections import OrderedDict, namedtuple
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from typing_extensions import Self
from collections.abc import Iterator

from ..autograd import no_grad
from ..engine import Tensor, as_tensor
from ..engine.backend import refuse_foreign
from ..engine.device import parse_to
from ..engine.dtypes import float16, float32, float64
from .hooks import ModuleHooksMixin
from .parameter import Parameter


class _IncompatibleKeys(namedtuple("IncompatibleKeys", ["missing_keys", "unexpected_keys"])):
    """What load_state_dict returns; printed as torch's (a notebook cell shows it)."""

    __slots__ = ()

    def __repr__(self):
        if not self.missing_keys and not self.unexpected_keys:
            return "<All keys matched successfully>"
        return f"_IncompatibleKeys(missing_keys={self.missing_keys!r}, unexpected_keys={self.unexpected_keys!r})"


def _as_tensor(value, what):
    """A state/buffer value (Tensor, NumPy array, anything with __array__, number) as a Tensor (its dtype kept)."""
    if isinstance(value, Tensor):
        return value
    try:
        return as_tensor(value)
    except Exception as err:  # noqa: BLE001 - re-raised with the name of the value
        raise TypeError(
            f"{what}: expected a Tensor or an array of numbers, got {type(value).__name__} ({err})"
        ) from None


class Module(ModuleHooksMixin):
    """Base class for all neural network modules. Subclasses set up attributes in ``__init__`` (after
    ``super().__init__()``) and compute in ``forward``; call the module, not ``forward``, so hooks run."""

    training: bool
    _hooks_on = False  # any forward/backward hook registered on this module? (the fast path tests this)

    def __init__(self) -> None:
        d = self.__dict__
        d["training"] = True
        d["_parameters"] = OrderedDict()
        d["_buffers"] = OrderedDict()
        d["_non_persistent_buffers_set"] = set()
        d["_modules"] = OrderedDict()

    def _forward_unimplemented(self, *args: Any, **kwargs: Any) -> Any:
        raise NotImplementedError(f'Module [{type(self).__name__}] is missing the required "forward" function')

    # as torch declares it: a subclass's forward may take any arguments (forward(self, x: Tensor) -> Tensor)
    forward: Callable[..., Any] = _forward_unimplemented

    def __call__(self, *args: Any, **kwargs: Any) -> Tensor:
        """``forward(*args, **kwargs)`` with the hooks: ``model(x)`` is a Tensor for type checkers (a module
        whose forward returns something else: ``typing.cast`` the result)."""
        if self._hooks_on:
            return self._call_with_hooks(args, kwargs)
        if args and not isinstance(args[0], Tensor):  # a torch tensor, say: refused, naming the conversion
            refuse_foreign(args[0], type(self).__name__)
        return self.forward(*args, **kwargs)

    # --------------------------------------------------------------------------------- registration
    def _check_init(self, what):
        if "_parameters" not in self.__dict__:
            raise AttributeError(f"cannot assign {what} before Module.__init__() call (call super().__init__())")

    def _check_name(self, name, kind, table):
        if not isinstance(name, str) or not name or "." in name:
            raise KeyError(f'{kind} name must be a non-empty string without ".", got {name!r}')
        if name not in self.__dict__[table] and (name in self.__dict__ or hasattr(type(self), name)):
            raise KeyError(f"attribute '{name}' already exists")

    def register_parameter(self, name: str, param) -> None:
        """Add a learnable parameter (or None: a declared but absent one, like ``Linear(bias=False)``)."""
        self._check_init("parameters")
        self._check_name(name, "parameter", "_parameters")
        self._set_parameter(name, param)

    def _set_parameter(self, name, param):
        if param is not None and not isinstance(param, Parameter):
            raise TypeError(
                f"cannot assign '{type(param).__name__}' object to parameter '{name}' (chainrule.nn.Parameter "
                f"or None required)"
            )
        self._forget(name)
        self._parameters[name] = param
        self.__dict__[name] = param  # mirrored for plain attribute lookup (see the module docstring)

    def register_buffer(self, name: str, tensor, persistent: bool = True) -> None:
        """Add state that is not learned: saved in ``state_dict`` (unless ``persistent=False``), moved by
        ``to(dtype)``. A NumPy array is wrapped in a Tensor."""
        self._check_init("buffers")
        self._check_name(name, "buffer", "_buffers")
        if tensor is not None and not isinstance(tensor, Tensor):
            tensor = _as_tensor(tensor, f"buffer '{name}'").detach()
        self._forget(name)
        self._buffers[name] = tensor
        self.__dict__[name] = tensor
        if not persistent:
            self._non_persistent_buffers_set.add(name)

    def add_module(self, name: str, module) -> None:
        """Register a child module (what ``self.name = module`` does)."""
        self._check_init("child modules")
        self._check_name(name, "module", "_modules")
        self._set_module(name, module)

    register_module = add_module

    def _set_module(self, name, module):
        if module is not None and not isinstance(module, Module):
            raise TypeError(f"{type(module).__name__} is not a Module subclass")
        self._forget(name)
        self._modules[name] = module
        self.__dict__[name] = module

    def _forget(self, name):
        d = self.__dict__
        d["_parameters"].pop(name, None)
        d["_buffers"].pop(name, None)
        d["_modules"].pop(name, None)
        d["_non_persistent_buffers_set"].discard(name)

    def __setattr__(self, name, value) -> None:
        d = self.__dict__
        if isinstance(value, Parameter):
            self._check_init("parameters")
            self._set_parameter(name, value)
        elif isinstance(value, Module):
            self._check_init("child modules")
            self._set_module(name, value)
        elif "_parameters" in d and name in d["_parameters"]:
            if value is None:
                self._set_parameter(name, None)
            else:
                self._assign_into_parameter(name, value)
        elif "_modules" in d and name in d["_modules"]:
            if value is not None:
                raise TypeError(f"cannot assign '{type(value).__name__}' as child module '{name}' (Module or None)")
            d["_modules"][name] = None
            d[name] = None
        elif "_buffers" in d and name in d["_buffers"]:
            if value is not None and not isinstance(value, Tensor):
                value = _as_tensor(value, f"buffer '{name}'").detach()
            d["_buffers"][name] = value
            d[name] = value
        else:
            object.__setattr__(self, name, value)

    def _assign_into_parameter(self, name, value):
        """``layer.weight = array_or_tensor`` copies the values into the existing Parameter (torch refuses
        this assignment); keeping the Parameter object keeps an optimizer that holds it working."""
        p = self._parameters[name]
        value = _as_tensor(value, f"parameter '{name}'")
        if p is None or value.shape != p.shape:
            have = "None" if p is None else str(tuple(p.shape))
            raise ValueError(
                f"cannot assign a value of shape {tuple(value.shape)} to parameter '{name}' of shape {have}; "
                f"to replace it with a new shape, assign nn.Parameter(value)"
            )
        with no_grad():
            p.copy_(value)

    def __delattr__(self, name) -> None:
        d = self.__dict__
        if name in d.get("_parameters", ()) or name in d.get("_buffers", ()) or name in d.get("_modules", ()):
            self._forget(name)
            d.pop(name, None)
        else:
            object.__delattr__(self, name)

    def __getattr__(self, name) -> Any:  # only reached when normal lookup fails
        raise AttributeError(f"'{type(self).__name__}' object has no attribute '{name}'")

    def __dir__(self) -> list[str]:
        return sorted(set(super().__dir__()))

    def get_submodule(self, target: str) -> Module:
        """The sub-module at a dotted path such as ``'body.0'`` ('' is this module)."""
        m = self
        for part in target.split(".") if target else ():
            if part not in m._modules:
                raise AttributeError(f"{type(m).__name__} has no submodule '{part}' (looking up '{target}')")
            m = m._modules[part]
        return m

    def get_parameter(self, target: str) -> Parameter:
        """The parameter at a dotted path such as ``'body.0.weight'``."""
        mod, _, name = target.rpartition(".")
        m = self.get_submodule(mod)
        if name not in m._parameters:
            raise AttributeError(f"{type(m).__name__} has no parameter '{name}'")
        return m._parameters[name]

    # ------------------------------------------------------------------------------------- traversal
    def named_modules(self, memo=None, prefix: str = "", remove_duplicate: bool = True) -> Iterator[tuple[str, Module]]:
        """Yield (dotted name, module) for this module and every descendant, depth first, each once."""
        if memo is None:
            memo = set()
        if remove_duplicate:
            if id(self) in memo:
                return
            memo.add(id(self))
        yield prefix, self
        for name, m in self._modules.items():
            if m is None:
                continue
            yield from m.named_modules(memo, prefix + ("." if prefix else "") + name, remove_duplicate)

    def modules(self) -> Iterator[Module]:
        """This module and every sub-module, depth first."""
        for _, m in self.named_modules():
            yield m

    def named_children(self) -> Iterator[tuple[str, Module]]:
        """(name, module) pairs of the direct sub-modules."""
        seen = set()
        for name, m in self._modules.items():
            if m is not None and id(m) not in seen:
                seen.add(id(m))
                yield name, m

    def children(self) -> Iterator[Module]:
        """The direct sub-modules."""
        for _, m in self.named_children():
            yield m

    def _named_members(self, kind, prefix, recurse, remove_duplicate=True):
        seen = set()
        mods = self.named_modules(prefix=prefix, remove_duplicate=remove_duplicate) if recurse else [(prefix, self)]
        for mod_prefix, m in mods:
            for name, v in m.__dict__[kind].items():
                if v is None or (remove_duplicate and id(v) in seen):
                    continue
                seen.add(id(v))
                yield mod_prefix + ("." if mod_prefix else "") + name, v

    def named_parameters(self, prefix: str = "", recurse: bool = True,
                         remove_duplicate: bool = True) -> Iterator[tuple[str, Parameter]]:
        """(dotted name, Parameter) pairs; a parameter shared by two modules appears once."""
        yield from self._named_members("_parameters", prefix, recurse, remove_duplicate)

    def parameters(self, recurse: bool = True) -> Iterator[Parameter]:
        """The learnable Parameters of this module and its sub-modules (each once), e.g. for an optimizer."""
        for _, p in self.named_parameters(recurse=recurse):
            yield p

    def named_buffers(self, prefix: str = "", recurse: bool = True,
                      remove_duplicate: bool = True) -> Iterator[tuple[str, Tensor]]:
        """(dotted name, buffer) pairs."""
        yield from self._named_members("_buffers", prefix, recurse, remove_duplicate)

    def buffers(self, recurse: bool = True) -> Iterator[Tensor]:
        """The non-learnable state tensors (e.g. BatchNorm's running statistics)."""
        for _, b in self.named_buffers(recurse=recurse):
            yield b

    # ------------------------------------------------------------------------------------ modes, misc
    def train(self, mode: bool = True) -> Self:
        """Training mode (dropout drops, batch norm uses batch statistics) for this module and children."""
        if not isinstance(mode, bool):
            raise ValueError(f"training mode is expected to be boolean, got {type(mode).__name__}")
        for m in self.modules():
            m.__dict__["training"] = mode
        return self

    def eval(self) -> Self:
        """Evaluation mode: ``train(False)``. Dropout is the identity, batch norm uses running estimates."""
        return self.train(False)

    def requires_grad_(self, requires_grad: bool = True) -> Self:
        """Set ``requires_grad`` on every parameter (False freezes the module); returns self."""
        for p in self.parameters():
            p.requires_grad_(requires_grad)
        return self

    def zero_grad(self, set_to_none: bool = True) -> None:
        """Reset every parameter's ``.grad`` (to None by default, as PyTorch 2 does)."""
        for p in self.parameters():
            if p.grad is None:
                continue
            if set_to_none:
                p.grad = None
            else:
                p.grad.detach_().zero_()

    def apply(self, fn) -> Self:
        """Call ``fn(module)`` on every child (recursively), then on this module: ``model.apply(init_fn)``."""
        for m in self.children():
            m.apply(fn)
        fn(self)
        return self

    def to(self, *args, dtype=None, device=None, non_blocking=False, **kwargs) -> Self:
        """Move and/or cast floating-point parameters and buffers (and their gradients) in place:
        ``to("cuda")``, ``to(cr.float64)``, ``to("cuda", cr.float64)``. Returns self, as torch."""
        device, dtype = parse_to(args, dtype, device)
        if dtype is not None and not dtype.is_floating_point:
            raise TypeError(f"Module.to only accepts floating point dtypes, but got desired dtype={dtype}")
        for t in list(self.parameters()) + list(self.buffers()):
            to_dtype = dtype if dtype is not None and t.is_floating_point() else None
            if to_dtype is None and device is None:
                continue
            t.data = t.detach().to(device, to_dtype) if device is not None else t.detach().to(to_dtype)
            if t.grad is not None:
                t.grad = t.grad.to(device, to_dtype) if device is not None else t.grad.to(to_dtype)
        return self

    def float(self) -> Self:
        """Cast floating-point parameters and buffers to float32; returns self."""
        return self.to(float32)

    def double(self) -> Self:
        """Cast floating-point parameters and buffers to float64; returns self."""
        return self.to(float64)

    def half(self) -> Self:
        """Cast floating-point parameters and buffers to float16; returns self."""
        return self.to(float16)

    def type(self, dst_type) -> Self:
        """Cast floating-point parameters and buffers to ``dst_type``; returns self."""
        return self.to(dst_type)

    def cpu(self) -> Self:
        """Move parameters and buffers to the CPU; returns self."""
        return self.to("cpu")

    def cuda(self, device=None) -> Self:
        """Move parameters and buffers to the GPU (``cuda:device``); returns self."""
        return self.to("cuda" if device is None else device)

    # ------------------------------------------------------------------------------------ state dict
    def state_dict(self, destination=None, prefix: str = "", keep_vars: bool = False) -> dict[str, Any]:
        """Every parameter and persistent buffer by dotted name (torch's keys). Values share memory with
        the module (detached unless ``keep_vars``): copy them to keep a snapshot."""
        out = OrderedDict() if destination is None else destination
        for mod_prefix, m in self.named_modules(prefix=prefix.rstrip(".") if prefix else "", remove_duplicate=False):
            dot = mod_prefix + "." if mod_prefix else ""
            for name, p in m._parameters.items():
                if p is not None:
                    out[dot + name] = p if keep_vars else p.detach()
            for name, b in m._buffers.items():
                if b is not None and name not in m._non_persistent_buffers_set:
                    out[dot + name] = b if keep_vars else b.detach()
        return out

    def load_state_dict(self, state_dict, strict: bool = True, assign: bool = False) -> Any:
        """Copy values (chainrule Tensors, NumPy arrays, anything array-like) into the parameters and
        buffers with the same dotted names, cast to each one's dtype.

        All problems are collected and reported together, each by key and shape: missing keys and
        unexpected keys (errors when ``strict``), and shape mismatches (always errors, as in PyTorch).
        Nothing is changed unless everything fits. Returns ``(missing_keys, unexpected_keys)``.
        """
        if not hasattr(state_dict, "keys"):
            raise TypeError(f"expected a dict-like state_dict (name -> tensor), got {type(state_dict).__name__}")
        own = self.state_dict(keep_vars=True)
        missing = [k for k in own if k not in state_dict]
        unexpected = [k for k in state_dict if k not in own]
        mismatched, values = [], {}
        for k, target in own.items():
            if k not in state_dict:
                continue
            value = _as_tensor(state_dict[k], f"load_state_dict: key '{k}'")
            if value.shape != target.shape:
                mismatched.append(
                    f"size mismatch for {k}: copying a param with shape {tuple(value.shape)} from checkpoint, the "
                    f"shape in current model is {tuple(target.shape)}."
                )
            values[k] = value
        errors = []
        if strict and missing:
            errors.append("Missing key(s) in state_dict: " + ", ".join(
                f'"{k}" {tuple(own[k].shape)}' for k in missing) + ".")
        if strict and unexpected:
            errors.append("Unexpected key(s) in state_dict: " + ", ".join(
                f'"{k}" {tuple(_as_tensor(state_dict[k], k).shape)}' for k in unexpected) + ".")
        errors.extend(mismatched)
        if errors:
            raise RuntimeError(
                f"Error(s) in loading state_dict for {type(self).__name__}:\n\t" + "\n\t".join(errors)
            )
        for k, value in values.items():
            t = own[k]
            if assign:
                t.data = value.detach().to(t.dtype, copy=True)
            else:
                with no_grad():
                    t.copy_(value)
        return _IncompatibleKeys(missing, unexpected)

    # ------------------------------------------------------------------------------------------ repr
    def extra_repr(self) -> str:
        """What goes between the parentheses of this module's repr line (``in_features=2, ...``)."""
        return ""

    def _get_name(self):
        return type(self).__name__

    def __repr__(self) -> str:
        extra = self.extra_repr()
        extra_lines = extra.split("\n") if extra else []
        child_lines = [f"({name}): " + repr(m).replace("\n", "\n  ") for name, m in self._modules.items()]
        lines = extra_lines + child_lines
        body = ""
        if len(extra_lines) == 1 and not child_lines:
            body = extra_lines[0]
        elif lines:
            body = "\n  " + "\n  ".join(lines) + "\n"
        return f"{self._get_name()}({body})"

"""Tracing a model into a list of ONNX nodes: the exporter's graph builder and the module wrappers.

How a model is traced. For the duration of the export, every sub-module's ``forward`` is wrapped (an
instance attribute that shadows the class's method; removed again afterwards). The model is called on
``Value``s, stand-ins for its inputs that carry an ONNX value name and the real example tensor:

- a module with a converter (``layers.py``: Linear, the activations, the norms, ...) emits its ONNX nodes,
  and its real output is computed by its own ``forward`` on the real inputs;
- any other module (Sequential, a user's module) runs its own ``forward`` on the ``Value``s: calls of
  sub-modules go through their wrappers, and Tensor operators and methods on a ``Value`` (``traced.py``)
  emit nodes too. So nested and custom modules export as long as their forward is made of modules and
  Tensor operations.

What cannot be traced raises ``ExportError`` naming the innermost module and the reason: ``bool()`` of a
traced value (Python control flow that depends on the data), a custom ``autograd.Function``, or a
function that computes on raw arrays (``chainrule.nn.functional``, NumPy).
"""

from __future__ import annotations

import numpy as np

import chainrule as cr


class ExportError(RuntimeError):
    """The model cannot be exported: the message names the module and the reason."""


class TraceFailure(Exception):
    """Raised inside a module's forward; its wrapper turns it into an ExportError naming the module."""


class OnnxNode:
    """One ONNX node: op_type, input and output value names, attributes (python values), a readable name."""

    __slots__ = ("op_type", "inputs", "outputs", "attrs", "name")

    def __init__(self, op_type, inputs, outputs, attrs, name):
        self.op_type, self.inputs, self.outputs, self.attrs, self.name = op_type, list(inputs), outputs, attrs, name

    def __repr__(self):
        return f"{self.name}: {self.op_type}({', '.join(self.inputs)}) -> {', '.join(self.outputs)} {self.attrs}"


class GraphBuilder:
    """The graph being built: nodes, initializers (name -> array), and the module scope for names.

    Converters (``register``) call ``op``, ``const``, ``param`` and ``reduce``; value names follow torch's
    exporter (``/0/Gemm_output_0``) and initializers of parameters and buffers are named by their
    state_dict key (``0.weight``).
    """

    def __init__(self, model, opset):
        self.opset = opset
        self.nodes, self.initializers = [], {}
        self.scope = []  # module paths, outermost first
        self._used = set()
        self._const_names = {}  # id(tensor) -> initializer name
        self._keep = []  # the tensors behind _const_names stay alive (ids stay unique)
        self._state_names = {id(t): k for k, t in [*model.named_parameters(), *model.named_buffers()]}

    # ----------------------------------------------------------------------------------------- names
    def _prefix(self):
        path = next((p for p in reversed(self.scope) if p), "")
        return "/" + path.replace(".", "/") + "/" if path else "/"

    def unique(self, base):
        name, i = base, 1
        while name in self._used:
            name, i = f"{base}_{i}", i + 1
        self._used.add(name)
        return name

    # ----------------------------------------------------------------------------------- building
    def op(self, op_type, *inputs, outputs=1, **attrs):
        """Append a node; returns its output name (a list of names if ``outputs`` > 1). ``""`` skips an
        optional input."""
        name = self.unique(self._prefix() + op_type)
        outs = [self.unique(f"{name}_output_{i}") for i in range(outputs)]
        self.nodes.append(OnnxNode(op_type, inputs, outs, {k: v for k, v in attrs.items() if v is not None}, name))
        return outs[0] if outputs == 1 else outs

    def const(self, array, hint="Constant"):
        """An initializer holding ``array`` (a NumPy array or number); returns its name."""
        a = np.asarray(array)
        name = self.unique(self._prefix() + hint)
        self.initializers[name] = a
        return name

    def tensor(self, t, dtype=None):
        """An initializer for a chainrule Tensor: a parameter or buffer is named by its state_dict key and
        stored once however often it is used; ``dtype`` casts a copy (under another name)."""
        a = t.detach().numpy()
        if dtype is not None and a.dtype != dtype:
            return self.const(a.astype(dtype))
        if id(t) not in self._const_names:
            key = self._state_names.get(id(t))
            name = key if key is not None and key not in self._used else self.unique(self._prefix() + "Constant")
            self._used.add(name)
            self.initializers[name] = np.array(a)
            self._const_names[id(t)] = name
            self._keep.append(t)
        return self._const_names[id(t)]

    def param(self, module, attr):
        """The initializer of ``module.<attr>`` (a Parameter or buffer)."""
        return self.tensor(getattr(module, attr))

    def ints(self, values):
        """An int64 initializer (shapes, axes)."""
        return self.const(np.array(values, dtype=np.int64), "Constant_int64")

    def reduce(self, op_type, x, axes, keepdims=True):
        """ReduceMean/ReduceSum/... over ``axes``: an attribute before opset 18, an input from then on
        (ReduceSum has taken an input since 13)."""
        axes = [int(a) for a in axes]
        if op_type == "ReduceSum" or self.opset >= 18:
            return self.op(op_type, x, self.ints(axes), keepdims=int(keepdims))
        return self.op(op_type, x, axes=axes, keepdims=int(keepdims))

    def value(self, name, real):
        from .traced import Value

        return Value(self, name, real)


def _label(path, module):
    return f"module '{path}' ({type(module).__name__})" if path else f"the model ({type(module).__name__})"


_APPLY = cr.autograd.Function.apply.__func__.__code__


class RawAccess(TraceFailure):
    """Something read a traced value as an array (``.data``, NumPy): the caller computes on raw arrays."""


def _reason(err, module):
    """Why a forward could not be traced, in a user's words."""
    tb, inner = err.__traceback__, None
    while tb is not None:
        frame = tb.tb_frame
        cls = frame.f_locals.get("cls") if frame.f_code is _APPLY else None
        if cls is not None and not getattr(cls, "__module__", "").startswith("chainrule."):  # not a primitive
            return (f"its forward calls the custom autograd Function {getattr(cls, '__name__', cls)}; the exporter "
                    f"cannot see inside a Function. Write that computation with modules and Tensor operations, "
                    f"or register a converter for {type(module).__name__} with chainrule.onnx.register")
        mod = frame.f_globals.get("__name__", "")
        if inner is None and mod.startswith("chainrule.") and not mod.startswith("chainrule.onnx"):
            inner = f"{mod}.{frame.f_code.co_name}"
        tb = tb.tb_next
    raw = isinstance(err, RawAccess) or (isinstance(err, TypeError) and "'Value'" in str(err))
    if raw or (inner is not None and isinstance(err, (TypeError, AttributeError))):
        where = inner or "a NumPy function"
        return (f"its forward passes a traced tensor to {where}, which computes on raw arrays; the exporter "
                f"follows modules and Tensor operators/methods (x.relu(), x @ w, x.flatten(1), ...). Use those, "
                f"or register a converter for {type(module).__name__} with chainrule.onnx.register ({err})")
    if isinstance(err, TraceFailure):
        return str(err)
    return f"{type(err).__name__}: {err}"


def _wrap(builder, path, module, converter):
    call = module.forward  # the bound method (or an instance attribute the user set)

    def forward(*args, **kwargs):
        from .traced import Value

        if not any(isinstance(a, Value) for a in (*args, *kwargs.values())):
            return call(*args, **kwargs)  # real tensors only: not part of the exported graph
        builder.scope.append(path)
        try:
            if converter is None:
                return call(*args, **kwargs)
            if kwargs or len(args) != 1:
                raise TraceFailure(f"the {type(module).__name__} converter takes one input, got {len(args)} "
                                   f"positional and {len(kwargs)} keyword arguments")
            (x,) = args
            with cr.no_grad():
                real = call(x.real)
            return builder.value(converter(builder, module, x), real)
        except ExportError:
            raise
        except Exception as err:
            raise ExportError(f"cannot export {_label(path, module)}: {_reason(err, module)}") from err
        finally:
            builder.scope.pop()

    return forward


def converter_for(module, converters):
    """The converter of the nearest class in the module's MRO that has one, provided the module does not
    override that class's forward (a subclass with its own forward is traced through instead)."""
    for cls in type(module).__mro__:
        if cls in converters:
            return converters[cls] if type(module).forward is cls.forward else None
    return None


def trace(model, inputs, opset, converters):
    """Run ``model`` on ``Value``s for ``inputs`` ((name, real Tensor) pairs); returns (builder, outputs)."""
    builder = GraphBuilder(model, opset)
    saved = []
    try:
        for path, m in model.named_modules():
            saved.append((m, m.__dict__.get("forward", _MISSING)))
            object.__setattr__(m, "forward", _wrap(builder, path, m, converter_for(m, converters)))
        values = [builder.value(name, real) for name, real in inputs]
        out = model(*values)
    finally:
        for m, old in saved:
            if old is _MISSING:
                m.__dict__.pop("forward", None)
            else:
                m.__dict__["forward"] = old
    return builder, out


_MISSING = object()

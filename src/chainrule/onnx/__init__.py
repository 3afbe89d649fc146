"""ONNX export: ``chainrule.onnx.export(model, args, "model.onnx", ...)``, with torch.onnx.export's names.

    import chainrule as cr
    from chainrule import nn
    import chainrule.onnx

    model = nn.Sequential(nn.Linear(64, 256), nn.ReLU(), nn.Dropout(0.2), nn.Linear(256, 10))
    chainrule.onnx.export(model, cr.randn(1, 64), "model.onnx", input_names=["input"], output_names=["logits"],
                          dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}})

    import onnxruntime as ort                                   # any ONNX runtime runs it
    sess = ort.InferenceSession("model.onnx")
    logits = sess.run(None, {"input": x.astype("float32")})[0]  # x: (any batch, 64)

ONNX (https://onnx.ai) is a protobuf file holding a graph of standard operators, the weights as
initializers (named by their state_dict keys, ``0.weight``) and the opset it uses (default 17; 13 and up
are supported). The model is exported in evaluation mode (Dropout is the identity, BatchNorm1d uses its
running statistics); its training flags are restored afterwards. The graph is traced on ``args`` (see
``trace.py``): every layer of chainrule.nn that an MLP or a small CNN uses has a converter (``layers.py``:
Linear, the activations, BatchNorm1d/2d, LayerNorm, Embedding, Dropout, Flatten, Softmax, Conv1d/2d, the
max/average/adaptive-average pools, ...; the functional forms F.conv2d, F.max_pool2d are not traced: use
the modules), containers and a user's
own modules are traced through as long as their forward is made of modules and Tensor operations, and
what cannot be exported (a custom autograd.Function, Python control flow that depends on the data, a
function that computes on raw arrays) raises ``ExportError`` naming the module and the reason. A
converter for another module class can be added with ``register``.

Shapes are fixed to the example's except the axes named in ``dynamic_axes`` (usually the batch axis);
the file passes ``onnx.checker`` (full check) before it is written, atomically. Needs the ``onnx``
package (``pip install 'chainrule[export]'``, which also brings onnxruntime to run the file).
"""

from __future__ import annotations

import numpy as np

import chainrule as cr

from .trace import ExportError, GraphBuilder

__all__ = ["export", "write", "register", "ExportError", "GraphBuilder", "DEFAULT_OPSET", "MIN_OPSET"]

DEFAULT_OPSET = 17  # torch.onnx's default; LayerNormalization is an operator from 17 on
MIN_OPSET = 13  # Softmax over one axis, ReduceSum/Squeeze/Unsqueeze with axes as inputs


def register(module_class):
    """Decorator: add (or replace) the converter of ``module_class``::

        @chainrule.onnx.register(MyScale)
        def convert(g, module, x):                   # g: GraphBuilder, x: the traced input
            return g.op("Mul", x.name, g.param(module, "scale"))

    ``g.op(op_type, *input_names, **attributes)`` adds a node and returns its output name; ``g.param``
    stores a parameter or buffer under its state_dict key; ``g.const(array)`` stores a constant;
    ``g.opset`` is the opset being written. A subclass with its own forward needs its own converter."""
    from .layers import register as _register

    return _register(module_class)


def _inputs(args):
    items = args if isinstance(args, (tuple, list)) else (args,)
    out = []
    for i, a in enumerate(items):
        if isinstance(a, np.ndarray):
            a = cr.from_numpy(a)
        if not isinstance(a, cr.Tensor):
            raise TypeError(f"chainrule.onnx.export: args must be a Tensor or a tuple of Tensors (the example "
                            f"inputs); argument {i} is a {type(a).__name__}")
        out.append(a.detach())
    return out


def _names(given, n, default, what):
    names = list(given or [])
    if len(names) > n:
        raise ValueError(f"chainrule.onnx.export: {len(names)} {what}_names for {n} {what}s: {names}")
    if len(set(names)) != len(names):
        raise ValueError(f"chainrule.onnx.export: {what}_names must be distinct, got {names}")
    auto = [default] if n == 1 else [f"{default}_{i}" for i in range(n)]
    return names + [a for a in auto[len(names):]]


def _opset(opset_version):
    import onnx

    newest = onnx.defs.onnx_opset_version()
    opset = DEFAULT_OPSET if opset_version is None else opset_version
    if isinstance(opset, bool) or not isinstance(opset, int) or not MIN_OPSET <= opset <= newest:
        raise ValueError(f"chainrule.onnx.export: opset_version must be an int from {MIN_OPSET} to {newest} (the "
                         f"installed onnx's newest), got {opset_version!r}")
    return opset


def export(model, args, f, *, export_params=True, verbose=False, input_names=None, output_names=None,
           opset_version=None, dynamic_axes=None, do_constant_folding=True):
    """Export ``model`` (an ``nn.Module``) traced on the example ``args`` to ``f`` (a path, written
    atomically, or a binary file object) as ONNX; returns the ``onnx.ModelProto``.

    ``input_names``/``output_names``: names of the graph's inputs and outputs (default ``input``/``output``,
    or ``input_0``, ... for several). ``dynamic_axes``: ``{name: {axis: "dim name"}}`` or ``{name: [axes]}``
    for the axes whose size may change (e.g. ``{"input": {0: "batch"}, "output": {0: "batch"}}``).
    ``verbose`` prints the graph. ``export_params`` must be True (the weights are always in the file);
    ``do_constant_folding`` is accepted for torch's signature (there is nothing to fold: the graph holds
    no computation on constants alone).
    """
    try:
        import onnx
    except ImportError:
        raise ImportError("chainrule.onnx.export needs the onnx package: pip install 'chainrule[export]' "
                          "(or pip install onnx onnxruntime)") from None
    from .build import build_model, dim_names, rename_outputs
    from .layers import CONVERTERS
    from .trace import trace

    if not isinstance(model, cr.nn.Module):
        raise TypeError(f"chainrule.onnx.export: model must be an nn.Module, got {type(model).__name__}")
    if not export_params:
        raise ValueError("chainrule.onnx.export: export_params=False is not supported (the weights are always "
                         "stored in the file)")
    opset = _opset(opset_version)
    reals = _inputs(args)
    in_names = _names(input_names, len(reals), "input", "input")
    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        with cr.no_grad():
            builder, out = trace(model, list(zip(in_names, reals)), opset, CONVERTERS)
    finally:
        for m, mode in modes:  # parents before children: each module ends with its own flag
            m.train(mode)
    outputs = _outputs(out, model)
    out_names = _names(output_names, len(outputs), "output", "output")
    if set(in_names) & set(out_names):
        raise ValueError(f"chainrule.onnx.export: {sorted(set(in_names) & set(out_names))} is both an input and an "
                         "output name")
    dyn = dim_names(dynamic_axes, in_names + out_names)
    out_names = rename_outputs(builder, outputs, out_names, in_names)
    inputs = [(n, r.detach().numpy()) for n, r in zip(in_names, reals)]
    proto = build_model(builder, inputs, outputs, out_names, dyn, f"exported by chainrule from:\n{model!r}")
    if verbose:
        print(onnx.printer.to_text(proto.graph))
    write(proto, f)
    return proto


def write(proto, f):
    """Write an ``onnx.ModelProto`` to a path (atomically) or a binary file object."""
    from chainrule._files import atomic_write

    if proto.ByteSize() >= 2**31:
        raise ExportError("the model is over 2 GB, the limit of a single ONNX protobuf file")
    data = proto.SerializeToString()
    if hasattr(f, "write"):
        f.write(data)
    else:
        atomic_write(f, lambda out: out.write(data), "chainrule.onnx.export", "model.onnx")


def _outputs(out, model):
    from .traced import Value

    items = list(out) if isinstance(out, (tuple, list)) else [out]
    for i, v in enumerate(items):
        if not isinstance(v, Value):
            raise ExportError(f"cannot export the model ({type(model).__name__}): its output {i} is a "
                              f"{type(v).__name__} that does not depend on the inputs (the exporter needs every "
                              "output computed from them)")
    return items

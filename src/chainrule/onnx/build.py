"""From the traced nodes to an ONNX ``ModelProto``: graph inputs and outputs with their (dynamic) shapes,
initializers, the opset, shape inference and ``onnx.checker``."""

from __future__ import annotations

import numpy as np

from .trace import ExportError


def dim_names(dynamic_axes, known):
    """torch's ``dynamic_axes`` ({name: {axis: "batch"}} or {name: [axes]}) as {name: {axis: dim name}}."""
    out = {}
    for name, axes in (dynamic_axes or {}).items():
        if name not in known:
            raise ValueError(f"dynamic_axes names {name!r}, which is not an input or output name (they are: "
                             f"{', '.join(known)})")
        if isinstance(axes, dict):
            out[name] = {int(a): str(d) for a, d in axes.items()}
        elif isinstance(axes, (list, tuple)):
            out[name] = {int(a): f"{name}_dynamic_axes_{i + 1}" for i, a in enumerate(axes)}  # torch's names
        else:
            raise TypeError(f"dynamic_axes[{name!r}] must be a dict {{axis: name}} or a list of axes, got "
                            f"{type(axes).__name__}")
    return out


def _dims(name, shape, dyn):
    axes = dyn.get(name, {})
    for a in axes:
        if not -len(shape) <= a < len(shape):
            raise ValueError(f"dynamic_axes[{name!r}]: axis {a} is out of range for a value of shape {tuple(shape)}")
    axes = {a % max(len(shape), 1): d for a, d in axes.items()}
    return [axes.get(i, s) for i, s in enumerate(shape)]


def rename_outputs(builder, outputs, output_names, input_names):
    """Give the graph's outputs their names: rename the producing node's output, or add an Identity where
    the output is an input, an initializer or another output."""
    names = []
    for value, want in zip(outputs, output_names):
        src = value.name
        if src in input_names or src in builder.initializers or src in names or src in output_names:
            builder.nodes.append(_identity(src, want))
        else:
            for node in builder.nodes:
                node.inputs = [want if i == src else i for i in node.inputs]
                node.outputs = [want if o == src else o for o in node.outputs]
        names.append(want)
    return names


def _identity(src, dst):
    from .trace import OnnxNode

    return OnnxNode("Identity", [src], [dst], {}, f"/{dst}/Identity")


def build_model(builder, inputs, outputs, output_names, dyn, doc_string):
    """The checked ``onnx.ModelProto``. ``inputs``: (name, real array) pairs; ``outputs``: traced Values."""
    import onnx
    from onnx import helper, numpy_helper

    def elem(a):
        return helper.np_dtype_to_tensor_dtype(np.asarray(a).dtype)

    graph_inputs = [helper.make_tensor_value_info(n, elem(a), _dims(n, a.shape, dyn)) for n, a in inputs]
    reals = [v.real.detach().numpy() for v in outputs]
    for n, a in zip(output_names, reals):
        _dims(n, a.shape, dyn)  # validates the axes
    loose = [helper.make_tensor_value_info(n, elem(a), None) for n, a in zip(output_names, reals)]
    nodes = [helper.make_node(n.op_type, n.inputs, n.outputs, name=n.name, **n.attrs) for n in builder.nodes]
    inits = [numpy_helper.from_array(np.asarray(a), name) for name, a in builder.initializers.items()]
    graph = helper.make_graph(nodes, "chainrule", graph_inputs, loose, initializer=inits, doc_string=doc_string)
    opsets = [helper.make_opsetid("", builder.opset)]
    model = helper.make_model(graph, opset_imports=opsets, producer_name="chainrule",
                              producer_version=_version(), ir_version=helper.find_min_ir_version_for(opsets))
    inferred = _infer(model)
    del model.graph.output[:]
    for n, a in zip(output_names, reals):
        shape = inferred.get(n) or list(a.shape)  # the example's shape where inference has nothing to say
        named = dyn.get(n, {})
        dims = [named.get(i, named.get(i - len(a.shape), s)) for i, s in enumerate(shape)]
        model.graph.output.append(helper.make_tensor_value_info(n, elem(a), dims))
    try:
        onnx.checker.check_model(model, full_check=True)
    except (onnx.checker.ValidationError, onnx.shape_inference.InferenceError) as err:
        raise ExportError(f"the exported graph does not pass onnx.checker (a bug in chainrule.onnx; please "
                          f"report it with the model): {err}") from err
    return model


def _infer(model):
    """Output shapes from ONNX shape inference ({name: [int or dim name]}), where it knows them all."""
    import onnx

    try:
        inferred = onnx.shape_inference.infer_shapes(model, strict_mode=True)
    except onnx.shape_inference.InferenceError as err:
        raise ExportError(f"the exported graph fails ONNX shape inference (a bug in chainrule.onnx; please report "
                          f"it with the model): {err}") from err
    out = {}
    for vi in [*inferred.graph.output, *inferred.graph.value_info]:
        t = vi.type.tensor_type
        if not t.HasField("shape"):
            continue
        dims = [d.dim_param if d.HasField("dim_param") else (d.dim_value if d.HasField("dim_value") else None)
                for d in t.shape.dim]
        if None not in dims:
            out.setdefault(vi.name, dims)
    return out


def _version():
    import chainrule

    return chainrule.__version__

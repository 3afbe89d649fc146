"""The model's graph for TensorBoard's Graphs dashboard: the backprop explainer's recorded graph as a GraphDef.

``chainrule.explain`` records every engine operation of one forward pass (its inputs, output and the op);
each becomes a ``NodeDef`` whose op is the engine's (MatMul, Add, Relu, ...), with an ``_output_shapes``
attribute so that the edges show tensor shapes. Nodes are grouped by module, torch style
(``Sequential/Linear[0]/MatMul``): forward hooks note each module's inputs and output, and the operations
between them belong to it (the innermost module that encloses them). Parameters are named by their
state_dict keys; constants fold into the scope of their first consumer. How far this maps: every op
the engine records appears; an integer input (Embedding's indices) is a constant, not an input node.
"""

from __future__ import annotations

import chainrule as cr


def _record(model, args):
    """Run the model once in evaluation mode inside ``explain.record()``; returns (graph, module calls,
    the name of every tensor of interest)."""
    from chainrule import explain

    calls, names, handles = [], {}, []

    def name_of(t, default):
        if isinstance(t, cr.Tensor) and t.requires_grad:
            names.setdefault(id(t), (default, t))
        return names.get(id(t), (None,))[0]

    for key, p in model.named_parameters():
        name_of(p, key)
    leaves = []
    for i, a in enumerate(args):
        a = a if isinstance(a, cr.Tensor) else cr.tensor(a)
        a = a.detach().clone()
        if a.is_floating_point():
            a.requires_grad_()
        name_of(a, "input" if len(args) == 1 else f"input_{i}")
        leaves.append(a)

    def hook(path):
        def note(module, inputs, output):
            outs = output if isinstance(output, (tuple, list)) else (output,)
            calls.append((path, module, [name_of(t, f"{path or 'model'}:in{i}") for i, t in enumerate(inputs)],
                          [name_of(t, f"{path or 'model'}:out{i}") for i, t in enumerate(outs)]))

        return note

    modes = [(m, m.training) for m in model.modules()]
    model.eval()
    try:
        for path, m in model.named_modules():
            handles.append(m.register_forward_hook(hook(path)))
        with cr.enable_grad(), explain.record():
            out = model(*leaves)
    finally:
        for h in handles:
            h.remove()
        for m, mode in modes:
            m.train(mode)
    outs = [o for o in (out if isinstance(out, (tuple, list)) else (out,)) if isinstance(o, cr.Tensor)]
    if not outs or not all(o.requires_grad for o in outs):
        raise ValueError("add_graph: the model's output does not depend on its inputs or parameters")
    total = outs[0] if len(outs) == 1 else sum(o.sum() for o in outs)  # one root for several outputs
    with cr.enable_grad():
        graph = explain.graph(total, {n: t for n, t in names.values()})
    return graph, calls


def _scopes(model, graph, calls):
    """Node index -> the module path that encloses it (innermost first, as the hooks fired)."""
    index = {}
    for n in graph.nodes:
        index.setdefault(n.name, n.index)
    scope = {}
    for path, _, ins, outs in calls:  # inner modules finish (and are listed) before their parents
        stop = {index[i] for i in ins if i in index}
        stack = [index[o] for o in outs if o in index]
        seen = set()
        while stack:
            k = stack.pop()
            if k in seen or k in stop:
                continue
            seen.add(k)
            node = graph.nodes[k]
            if node.kind == "gate":
                scope.setdefault(k, path)
                stack.extend(node.inputs)
    params = dict(model.named_parameters())
    for n in graph.nodes:  # parameters: their module; constants: their first consumer's
        if n.kind == "input" and n.name in params:
            scope[n.index] = n.name.rpartition(".")[0]
        elif n.kind == "const" and n.consumers:
            scope[n.index] = scope.get(n.consumers[0], "")
    return scope


def _scope_prefix(model, path):
    """``encoder.0`` -> ``Net/Sequential[encoder]/Linear[0]``."""
    parts, m = [type(model).__name__], model
    if path:
        for name in path.split("."):
            m = getattr(m, name)
            parts.append(f"{type(m).__name__}[{name}]")
    return "/".join(parts)


def graph_def(model, input_to_model):
    """The ``GraphDef`` of ``model`` on ``input_to_model`` (a Tensor, array or tuple of them)."""
    import numpy as np
    from tensorboard.compat.proto import attr_value_pb2, graph_pb2, node_def_pb2, tensor_shape_pb2, versions_pb2

    args = input_to_model if isinstance(input_to_model, (tuple, list)) else (input_to_model,)
    graph, calls = _record(model, args)
    scope = _scopes(model, graph, calls)
    full = {}
    for n in graph.nodes:
        leaf = {"const": f"Const_{n.index}", "gate": n.engine_op.removesuffix("Backward0") + f"_{n.index}"}.get(
            n.kind, n.name.rpartition(".")[2] if n.index in scope else n.name)
        prefix = _scope_prefix(model, scope.get(n.index, "")) if n.index in scope or n.kind != "input" else ""
        full[n.index] = f"{prefix}/{leaf}" if prefix else leaf
    nodes = []
    for n in graph.nodes:
        op = {"input": "Parameter" if n.index in scope else "Input", "const": "Const"}.get(
            n.kind, n.engine_op.removesuffix("Backward0"))
        values = n.value if isinstance(n.value, tuple) else (n.value,)
        shapes = [tensor_shape_pb2.TensorShapeProto(dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=int(s))
                                                         for s in np.shape(v)]) for v in values]
        attr = {"_output_shapes": attr_value_pb2.AttrValue(list=attr_value_pb2.AttrValue.ListValue(shape=shapes))}
        if n.kind == "gate" and n.op:
            attr["formula"] = attr_value_pb2.AttrValue(s=(n.template or n.op).encode("utf-8"))
        nodes.append(node_def_pb2.NodeDef(name=full[n.index], op=op, input=[full[i] for i in n.inputs], attr=attr))
    return graph_pb2.GraphDef(node=nodes, versions=versions_pb2.VersionDef(producer=22))

"""Export a model, check the file with onnx.checker, run it in onnxruntime at another batch size, compare."""

import io

import numpy as np

import chainrule as cr
import chainrule.onnx
from extras import require

onnx = require("onnx")
ort = require("onnxruntime")

TOL = 1e-5


def run_onnx(data, feeds):
    sess = ort.InferenceSession(data, providers=["CPUExecutionProvider"])
    return sess.run(None, feeds)


def export_and_compare(model, example, other, opset=None, names=("input", "output")):
    """Export ``model`` traced on ``example`` with a dynamic batch axis; run the file on ``other`` (another
    batch size) in onnxruntime and return (max |onnxruntime − chainrule|, the ModelProto)."""
    buf = io.BytesIO()
    dynamic = {names[0]: {0: "batch"}, names[1]: {0: "batch"}}
    proto = chainrule.onnx.export(model, example, buf, opset_version=opset, input_names=[names[0]],
                                  output_names=[names[1]], dynamic_axes=dynamic)
    data = buf.getvalue()
    onnx.checker.check_model(onnx.load_from_string(data), full_check=True)
    for v in (proto.graph.input[0], proto.graph.output[0]):
        assert v.type.tensor_type.shape.dim[0].dim_param == "batch", v
    model.eval()
    want = model(cr.from_numpy(other)).numpy()
    (got,) = run_onnx(data, {names[0]: other})
    assert got.shape == want.shape and got.dtype == want.dtype, (got.shape, want.shape, got.dtype, want.dtype)
    return float(np.abs(got.astype(np.float64) - want).max()) if want.size else 0.0, proto

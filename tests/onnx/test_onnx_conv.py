"""chainrule → onnxruntime for the convolution and pooling layers and the --model cnn network: onnx.checker
passes, the batch axis is dynamic, the outputs match to 1e-5; unsupported options are refused by name."""

import numpy as np
import pytest
from onnx_check import TOL, export_and_compare

import chainrule as cr
import chainrule.nn as nn
from chainrule.nn.cnn import build_cnn
from chainrule.onnx import ExportError

RNG = np.random.default_rng(0)


def x(*shape):
    return RNG.normal(size=shape).astype(np.float32)


LAYERS = [
    ("Conv2d", lambda: nn.Conv2d(3, 4, 3), (3, 7, 6)),
    ("Conv2d_stride_padding_dilation", lambda: nn.Conv2d(3, 4, (3, 2), stride=(2, 1), padding=(1, 2), dilation=2),
     (3, 9, 8)),
    ("Conv2d_same_even_kernel", lambda: nn.Conv2d(3, 4, 4, padding="same", bias=False), (3, 7, 6)),
    ("Conv2d_groups", lambda: nn.Conv2d(4, 6, 3, groups=2, padding="valid"), (4, 6, 6)),
    ("Conv2d_reflect", lambda: nn.Conv2d(3, 4, 3, padding=1, padding_mode="reflect"), (3, 6, 6)),
    ("Conv2d_replicate", lambda: nn.Conv2d(3, 4, 3, padding=(2, 1), padding_mode="replicate"), (3, 6, 6)),
    ("Conv1d", lambda: nn.Conv1d(3, 4, 3, stride=2, padding=1), (3, 9)),
    ("MaxPool2d", lambda: nn.MaxPool2d(2), (3, 6, 7)),
    ("MaxPool2d_overlap_padding", lambda: nn.MaxPool2d(3, stride=2, padding=1), (3, 7, 8)),
    ("MaxPool2d_dilation", lambda: nn.MaxPool2d(2, stride=1, dilation=2), (2, 6, 6)),
    ("MaxPool2d_ceil_mode", lambda: nn.MaxPool2d(3, stride=2, ceil_mode=True), (3, 8, 8)),
    ("MaxPool1d", lambda: nn.MaxPool1d(3, stride=2), (3, 9)),
    ("AvgPool2d", lambda: nn.AvgPool2d(2), (3, 6, 7)),
    ("AvgPool2d_padding_exclude", lambda: nn.AvgPool2d(3, stride=2, padding=1, count_include_pad=False), (3, 7, 8)),
    ("AvgPool2d_padding_include", lambda: nn.AvgPool2d(3, stride=2, padding=1), (3, 7, 8)),
    ("AvgPool2d_ceil_mode", lambda: nn.AvgPool2d(3, stride=2, padding=1, ceil_mode=True), (3, 8, 8)),
    ("AvgPool1d", lambda: nn.AvgPool1d(3, stride=2), (3, 9)),
    ("AdaptiveAvgPool2d_global", lambda: nn.AdaptiveAvgPool2d(1), (3, 5, 7)),
    ("AdaptiveAvgPool2d_divides", lambda: nn.AdaptiveAvgPool2d((2, 3)), (3, 4, 6)),
    ("AdaptiveAvgPool1d", lambda: nn.AdaptiveAvgPool1d(3), (3, 9)),
    ("Dropout2d", lambda: nn.Dropout2d(0.5), (3, 4, 4)),
]


@pytest.mark.parametrize("name,factory,shape", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_matches_onnxruntime(name, factory, shape):
    diff, _ = export_and_compare(factory(), cr.from_numpy(x(2, *shape)), x(5, *shape))
    assert diff < TOL, f"{name}: max |onnxruntime − chainrule| = {diff:.3g}"


def test_circular_padding_needs_opset_19():
    m = nn.Conv2d(2, 3, 3, padding=1, padding_mode="circular")
    diff, _ = export_and_compare(m, cr.from_numpy(x(2, 2, 5, 5)), x(3, 2, 5, 5), opset=19)
    assert diff < TOL
    with pytest.raises(ExportError, match="circular.*opset 19"):
        export_and_compare(m, cr.from_numpy(x(2, 2, 5, 5)), x(3, 2, 5, 5), opset=17)


def test_the_cnn_of_chainrule_train_with_trained_batch_statistics():
    model = build_cnn((1, 8, 8), 10)
    model.train()
    for _ in range(3):
        model(cr.from_numpy(x(16, 64) + 1.0))
    diff, proto = export_and_compare(model, cr.from_numpy(x(2, 64)), x(9, 64))
    assert diff < TOL
    ops = [n.op_type for n in proto.graph.node]
    assert ops.count("Conv") == 3 and ops.count("MaxPool") == 2 and ops.count("BatchNormalization") == 3


@pytest.mark.parametrize("module,match", [(nn.MaxPool2d(2, return_indices=True), "return_indices"),
                                          (nn.AvgPool2d(2, divisor_override=3), "divisor_override"),
                                          (nn.AdaptiveAvgPool2d((2, 3)), "does not divide")])
def test_unsupported_options_are_named(module, match):
    with pytest.raises(ExportError, match=match):
        export_and_compare(module, cr.from_numpy(x(2, 3, 5, 5)), x(3, 3, 5, 5))

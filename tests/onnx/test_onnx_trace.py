"""Tracing nested and custom modules, user converters, and the errors for what cannot be exported."""

import io
import sys

import numpy as np
import pytest
from onnx_check import TOL, export_and_compare, onnx, run_onnx

import chainrule as cr
import chainrule.nn as nn
import chainrule.nn.functional as F
import chainrule.onnx
from chainrule.onnx import ExportError

RNG = np.random.default_rng(0)


def x(*shape):
    return RNG.normal(size=shape).astype(np.float32)


class Block(nn.Module):
    """A residual block written with Tensor operators, a Parameter and a buffer."""

    def __init__(self, n):
        super().__init__()
        self.fc = nn.Linear(n, n)
        self.gain = nn.Parameter(cr.ones(n) * 1.5)
        self.register_buffer("shift", cr.full((n,), 0.25))

    def forward(self, h):
        r = self.fc(h).relu() * self.gain - self.shift
        r = r - r.mean(dim=1, keepdim=True)
        return h + r / 2 + 1.0 - (h ** 2).sum(dim=-1, keepdim=True) * 0.01


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.encoder = nn.Sequential(nn.Linear(6, 8), nn.Tanh(), Block(8), nn.Sequential(Block(8), nn.SiLU()))
        self.head = nn.Linear(8, 3)

    def forward(self, a):
        h = self.encoder(a.view(a.shape[0], -1))
        return self.head(h).log_softmax(dim=1)


def test_nested_custom_modules():
    m = Net()
    diff, proto = export_and_compare(m, cr.from_numpy(x(2, 2, 3)), x(9, 2, 3))
    assert diff < TOL
    names = {n.name for n in proto.graph.node}
    assert "/encoder/2/fc/Gemm" in names and "/encoder/3/0/Mul" in names
    assert {"encoder.2.gain", "encoder.2.shift", "encoder.3.0.fc.weight"} <= {i.name for i in proto.graph.initializer}


def test_several_inputs_and_outputs():
    class Two(nn.Module):
        def __init__(self):
            super().__init__()
            self.a, self.b = nn.Linear(3, 4), nn.Linear(5, 4)

        def forward(self, u, v):
            s = self.a(u) + self.b(v)
            return s.sigmoid(), s, u

    m = Two()
    buf = io.BytesIO()
    chainrule.onnx.export(m, (cr.from_numpy(x(2, 3)), cr.from_numpy(x(2, 5))), buf, input_names=["u", "v"],
                          output_names=["p", "s", "u_again"], dynamic_axes={"u": [0], "v": [0], "p": [0], "s": [0]})
    u, v = x(6, 3), x(6, 5)
    got = run_onnx(buf.getvalue(), {"u": u, "v": v})
    for g, w in zip(got, m(cr.from_numpy(u), cr.from_numpy(v))):
        np.testing.assert_allclose(g, w.numpy(), atol=TOL)


def test_reshape_keeps_the_batch_axis_dynamic():
    class Shapes(nn.Module):
        def forward(self, a):  # (N, 12)
            b = a.reshape(a.shape[0], 3, 4).transpose(1, 2)  # (N, 4, 3)
            c = b.reshape(-1, 3).unsqueeze(0).squeeze(0)  # (4N, 3)
            return c.view(a.shape[0], 12).permute(1, 0).t().clamp(-1.0, 1.0).flatten(1)

    diff, _ = export_and_compare(Shapes(), cr.from_numpy(x(2, 12)), x(5, 12))
    assert diff == 0.0


def test_a_registered_converter_is_used_and_a_subclass_with_its_own_forward_is_traced():
    class Scale(nn.Module):
        def __init__(self):
            super().__init__()
            self.s = nn.Parameter(cr.full((4,), 3.0))

        def forward(self, h):
            return F.leaky_relu(h) * self.s  # F functions cannot be traced: the converter says what it is

    class Shifted(Scale):
        def forward(self, h):
            return h * self.s + 1.0

    @chainrule.onnx.register(Scale)
    def _convert(g, module, h):
        return g.op("Mul", g.op("LeakyRelu", h.name, alpha=0.01), g.param(module, "s"))

    try:
        diff, proto = export_and_compare(nn.Sequential(nn.Linear(3, 4), Scale()), cr.from_numpy(x(2, 3)), x(4, 3))
        assert diff < TOL and "1.s" in {i.name for i in proto.graph.initializer}
        diff, proto = export_and_compare(Shifted(), cr.from_numpy(x(2, 4)), x(4, 4))
        assert diff < TOL and [n.op_type for n in proto.graph.node] == ["Mul", "Add"]
    finally:
        from chainrule.onnx.layers import CONVERTERS

        CONVERTERS.pop(Scale)


# ------------------------------------------------------------------------------------------------ errors
class Gate(nn.Module):
    def forward(self, h):
        if h.sum() > 0:
            return h
        return -h


class Cube(cr.autograd.Function):
    @staticmethod
    def forward(ctx, a):
        return a * a * a

    @staticmethod
    def backward(ctx, g):
        return g


class UsesCube(nn.Module):
    def forward(self, h):
        return Cube.apply(h)


class UsesFunctional(nn.Module):
    def forward(self, h):
        return F.normalize(h)  # (F.relu(h) exports: it is h.relu())


class UsesNumpy(nn.Module):
    def forward(self, h):
        return np.tanh(h)


class ReadsItem(nn.Module):
    def forward(self, h):
        return h / h.max().item()


class Constant(nn.Module):
    def forward(self, h):
        return cr.ones(3)


ERRORS = [
    (nn.Sequential(nn.Linear(3, 3), nn.Sequential(nn.ReLU(), Gate())),
     r"module '1\.1' \(Gate\): Python control flow .* depends on the data \(bool\(\) of a traced tensor"),
    (nn.Sequential(UsesCube()), r"module '0' \(UsesCube\): its forward calls the custom autograd Function Cube"),
    (UsesFunctional(), r"the model \(UsesFunctional\): its forward passes a traced tensor to "
                       r"chainrule\.nn\.functional\.normalize, which computes on raw arrays.*register a converter"),
    (UsesNumpy(), r"the model \(UsesNumpy\): its forward passes a traced tensor to a NumPy function"),
    (ReadsItem(), r"the model \(ReadsItem\): Tensor\.max is not supported by the ONNX exporter"),
    (Constant(), r"its output 0 is a Tensor that does not depend on the inputs"),
    (nn.MSELoss(), r"the model \(MSELoss\): TypeError: .*forward\(\) missing 1 required positional argument"),
    (nn.Sequential(nn.Linear(4, 2)), r"module '0' \(Linear\): ValueError: linear: the input's last dimension is 3"),
]


@pytest.mark.parametrize("model,message", ERRORS, ids=[type(m).__name__ + str(i) for i, (m, _) in enumerate(ERRORS)])
def test_what_cannot_be_exported_is_named(tmp_path, model, message):
    p = tmp_path / "m.onnx"
    with pytest.raises(ExportError, match=message):
        chainrule.onnx.export(model, cr.from_numpy(x(2, 3)), p)
    assert not p.exists()
    assert all("forward" not in m.__dict__ for m in model.modules())  # the wrappers are gone


def test_bad_arguments_are_refused_with_what_was_expected():
    m, a = nn.Linear(3, 2), cr.from_numpy(x(2, 3))
    buf = io.BytesIO()
    with pytest.raises(ValueError, match="opset_version must be an int from 13 to"):
        chainrule.onnx.export(m, a, buf, opset_version=11)
    with pytest.raises(ValueError, match="dynamic_axes names 'x', which is not an input or output name"):
        chainrule.onnx.export(m, a, buf, dynamic_axes={"x": [0]})
    with pytest.raises(ValueError, match="axis 2 is out of range for a value of shape \\(2, 3\\)"):
        chainrule.onnx.export(m, a, buf, dynamic_axes={"input": [2]})
    with pytest.raises(TypeError, match="args must be a Tensor or a tuple of Tensors.*argument 0 is a list"):
        chainrule.onnx.export(m, [[1.0, 2.0, 3.0]], buf)
    with pytest.raises(TypeError, match="model must be an nn.Module, got function"):
        chainrule.onnx.export(lambda t: t, a, buf)
    with pytest.raises(ValueError, match="export_params=False is not supported"):
        chainrule.onnx.export(m, a, buf, export_params=False)
    with pytest.raises(ValueError, match="2 input_names for 1 inputs"):
        chainrule.onnx.export(m, a, buf, input_names=["a", "b"])
    assert buf.getvalue() == b""


def test_a_missing_onnx_package_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[export\]'"):
        chainrule.onnx.export(nn.Linear(2, 2), cr.randn(1, 2), io.BytesIO())


def test_writes_a_path_atomically_and_prints_the_graph_when_verbose(tmp_path, capsys):
    p = tmp_path / "m.onnx"
    proto = chainrule.onnx.export(nn.Sequential(nn.Linear(3, 2), nn.ReLU()), cr.randn(1, 3), p, verbose=True)
    assert onnx.load(p) == proto and [f.name for f in tmp_path.iterdir()] == ["m.onnx"]
    assert "Gemm" in capsys.readouterr().out
    with pytest.raises(IsADirectoryError, match="model.onnx"):
        chainrule.onnx.export(nn.Linear(3, 2), cr.randn(1, 3), tmp_path)


def test_static_shapes_without_dynamic_axes():
    buf = io.BytesIO()
    proto = chainrule.onnx.export(nn.Linear(3, 2), cr.randn(4, 3), buf)
    dims = [d.dim_value for d in proto.graph.output[0].type.tensor_type.shape.dim]
    assert dims == [4, 2] and proto.graph.input[0].name == "input" and proto.graph.output[0].name == "output"

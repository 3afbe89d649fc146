"""The graph as data: the lectures' worked examples give the slides' numbers, and every gradient agrees
with the engine's own backward and with PyTorch (float64)."""

import numpy as np
import pytest
import torch

import chainrule as cr
import chainrule.explain as ex
from chainrule.autograd import _Mode
from chainrule.explain import fmt
from chainrule.explain.text import render

CIRCUIT = "q = x + y; f = q * z"
NEURON = "1/(1 + exp(-(w0*x0 + w1*x1 + w2)))"
NEURON_AT = dict(w0=2, x0=-1, w1=-3, x1=-2, w2=-3)


def test_circuit_values_and_gradients_as_on_the_slide():
    g = ex.formula(CIRCUIT, x=-2, y=5, z=-4)
    assert [n.op for n in g.gates] == ["+", "·"]
    assert g["q"].value == 3 and g["f"].value == -12
    assert (g["x"].grad, g["y"].grad, g["z"].grad, g["q"].grad) == (-4, -4, 3, -4)
    assert g["q"].local == [1, 1] and list(map(float, g["f"].local)) == [-4, 3]  # ∂f/∂q = z, ∂f/∂z = q


def test_circuit_text_in_the_lecture_words():
    text = render(ex.formula(CIRCUIT, x=-2, y=5, z=-4))
    lines = [s.strip() for s in text.splitlines()]
    for expected in ["q = x + y = −2 + 5 = 3", "f = q · z = 3 · (−4) = −12", "∂f/∂f = 1", "∂f/∂q = z = −4",
                     "∂f/∂z = q = 3", "∂f/∂x = ∂f/∂q · ∂q/∂x = −4 · 1 = −4", "∂f/∂y = ∂f/∂q · ∂q/∂y = −4 · 1 = −4"]:
        assert expected in lines, f"{expected!r} missing from\n{text}"
    assert lines.index("∂f/∂q = z = −4") < lines.index("∂f/∂x = ∂f/∂q · ∂q/∂x = −4 · 1 = −4")  # backward order


def test_sigmoid_neuron_gates_and_numbers_as_on_the_slide():
    g = ex.formula(NEURON, **NEURON_AT)
    assert [n.op for n in g.gates] == ["·", "·", "+", "+", "·(−1)", "exp", "+1", "1/x"]
    assert fmt.value(g.out.value) == "0.73"
    w = [fmt.value(g[k].grad) for k in ("w0", "w1", "w2")]
    x = [fmt.value(g[k].grad) for k in ("x0", "x1")]
    assert w == ["−0.20", "−0.39", "0.20"] and x == ["0.39", "−0.59"]
    # the wires of the slide, from the output back: 1/x receives 1, sends −0.53; exp sends −0.20; ·(−1) 0.20
    assert [fmt.value(n.upstream) for n in reversed(g.gates)] == ["1", "−0.53", "−0.53", "−0.20", "0.20", "0.20",
                                                                 "0.20", "0.20"]
    text = render(g)
    assert "∂f/∂t5 = ∂f/∂t6 · ∂t6/∂t5 = −0.53 · 0.37 = −0.20   (∂t6/∂t5 = exp(t5) = exp(−1) = 0.37)" in text
    assert "∂f/∂t7 = −1/t7² = −1/1.37² = −0.53" in text


def _torch_grads(source_fn, values):
    ts = {k: torch.tensor(np.asarray(v, dtype=np.float64), requires_grad=True) for k, v in values.items()}
    out = source_fn(**ts)
    out.sum().backward()
    return out.detach().numpy(), {k: t.grad.numpy() for k, t in ts.items()}


@pytest.mark.parametrize("source, torch_fn, values", [
    (NEURON, lambda w0, x0, w1, x1, w2: 1 / (1 + torch.exp(-(w0 * x0 + w1 * x1 + w2))), NEURON_AT),
    ("x*x + x - y/x", lambda x, y: x * x + x - y / x, dict(x=1.5, y=-2.0)),
    ("sum(sigmoid(w*x) * tanh(x)) + b**2", lambda w, x, b: (torch.sigmoid(w * x) * torch.tanh(x)).sum() + b ** 2,
     dict(w=[0.5, -1.0, 2.0], x=[1.0, 2.0, -0.5], b=0.3)),
    ("mean(relu(x - 1)) * max(a, b) + sqrt(a) * log(b) - sin(a) / cos(b) + abs(min(a, b))",
     lambda x, a, b: (torch.relu(x - 1).mean() * torch.maximum(a, b) + torch.sqrt(a) * torch.log(b)
                      - torch.sin(a) / torch.cos(b) + torch.abs(torch.minimum(a, b))),
     dict(x=[0.5, 2.0, 3.0], a=1.3, b=0.7)),
])
def test_gradients_match_torch_and_the_engine(source, torch_fn, values):
    g = ex.formula(source, **values)
    out, grads = _torch_grads(torch_fn, values)
    np.testing.assert_allclose(g.out.value, out, rtol=1e-12)
    for k, gr in grads.items():
        np.testing.assert_allclose(g[k].grad, gr, rtol=1e-10, atol=1e-12, err_msg=k)
    # and the engine's own backward gives the same leaf gradients
    f = ex.parse(source)
    leaves = {k: cr.tensor(np.asarray(v, dtype=np.float64), requires_grad=True) for k, v in values.items()}
    out, _, _ = f.evaluate(leaves)
    out.sum().backward()
    for k, t in leaves.items():
        np.testing.assert_allclose(g[k].grad, t.grad.numpy(), rtol=1e-12, err_msg=k)


def test_every_gradient_passes_the_finite_difference_check():
    for source, at in [(CIRCUIT, dict(x=-2, y=5, z=-4)), (NEURON, NEURON_AT),
                       ("sum(w*x) + b", dict(w=[1.0, -2.0], x=[0.5, 3.0], b=2.0))]:
        rows = ex.check(source, **at)
        assert rows and all(r["ok"] for r in rows), rows
        names = {r["name"] for r in rows}
        g = ex.formula(source, **at)
        assert {n.name for n in g.nodes if n.kind != "const"} == names  # inputs and gates alike
    rows = ex.check(NEURON, **NEURON_AT)
    assert {"t1", "t6", "f"} <= {r["name"] for r in rows}  # intermediate gradients are checked too


def test_record_explains_arbitrary_code_with_user_functions():
    class Cube(cr.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x ** 3

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * 3 * x ** 2

    x = cr.tensor([1.0, -2.0], dtype=cr.float64, requires_grad=True)
    w = cr.tensor(0.5, dtype=cr.float64, requires_grad=True)
    with ex.record():
        h = Cube.apply(x) * w - x / 2
        loss = h.relu().mean()
    assert _Mode.recorder is None and not _Mode.slow  # the fast path is back
    g = ex.graph(loss, names={"x": x, "w": w, "h": h, "L": loss})
    assert g.out.name == "L" and "Cube" in [n.op for n in g.gates] and "relu" in [n.op for n in g.gates]
    tx = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    tw = torch.tensor(0.5, dtype=torch.float64, requires_grad=True)
    th = tx ** 3 * tw - tx / 2
    th.retain_grad()
    th.relu().mean().backward()
    np.testing.assert_allclose(g["x"].grad, tx.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(g["w"].grad, tw.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(g["h"].grad, th.grad.numpy(), rtol=1e-12)
    np.testing.assert_allclose(g["h"].value, th.detach().numpy(), rtol=1e-12)
    assert "h" in render(g)


def test_fan_out_gradients_add():
    g = ex.formula("x*x + x", x=3.0)
    assert g["x"].grad == 7  # 2x + 1
    assert "∂f/∂x = 1 + 3 + 3 = 7   (x is used 3 times: the gradients add)" in render(g)


def test_broadcast_input_gradient_is_summed_and_said_so():
    g = ex.formula("sum(w * x)", w=2.0, x=[1.0, 2.0, 3.0])
    assert g["w"].grad == 6
    assert "∂f/∂w = Σ ∂f/∂t1 ⊙ ∂t1/∂w = Σ [1, 1, 1] ⊙ [1, 2, 3] = 6" in render(g)


def test_graph_needs_record_and_an_unfreed_graph():
    x = cr.tensor(2.0, requires_grad=True)
    y = x * x
    with pytest.raises(RuntimeError, match="record"):
        ex.graph(y)
    with ex.record():
        z = x * x
    z.backward()
    with pytest.raises(RuntimeError, match="freed"):
        ex.graph(z)
    with pytest.raises(ValueError, match="nothing to explain"):
        ex.graph(x)


def test_detect_anomaly_inside_record_keeps_recording():
    x = cr.tensor(2.0, requires_grad=True)
    with ex.record():
        with cr.autograd.detect_anomaly():
            y = x * 3
        z = y + 1  # still recorded after the anomaly block ends
    assert not _Mode.slow
    assert ex.graph(z, names={"x": x})["x"].grad == 3


@pytest.mark.parametrize("v, s", [(3.0, "3"), (-12, "−12"), (1.805, "1.80"), (1.1, "1.1"),
                                  (0.48000000000000004, "0.48"), (0.7310585786, "0.73"), (-0.19661193, "−0.20"),
                                  (0.0012345, "0.0012"),
                                  (1e-15, "1e−15"), (3e-20, "3e−20"), (-2.5e-10, "−2.5e−10"), (0.0, "0"), (-0.0, "0"),
                                      (2.5e7, "2.5e7"), (1234567.0, "1.23e6"), (float("nan"), "nan")])
def test_numbers_are_rounded_as_the_slides_do(v, s):
    assert fmt.number(v) == s


def test_functions_are_not_shadowed_by_submodules():
    import chainrule.explain.check  # noqa: F401
    import chainrule.explain.graph  # noqa: F401
    import chainrule.explain.layers  # noqa: F401
    import chainrule.explain.sgd  # noqa: F401
    import chainrule.explain.text  # noqa: F401

    assert all(callable(f) for f in (ex.graph, ex.check, ex.text, ex.sgd, ex.layers))


def test_large_tensors_are_summarised_by_shape_and_norm():
    assert fmt.value(np.ones((64, 10))) == "[64×10, ‖·‖ = 25.30]"
    assert fmt.value(np.array([0.393, -0.59])) == "[0.39, −0.59]"


def test_gates_show_the_numbers_of_their_local_derivative():
    text = render(ex.formula("sigmoid(x)", x=1.0))
    assert "∂f/∂x = σ(x)·(1 − σ(x)) = 0.73·0.27 = 0.20" in text
    text = render(ex.formula("s = sigmoid(x); f = 3 * s", x=1.0))
    assert "∂f/∂x = ∂f/∂s · ∂s/∂x = 3 · 0.20 = 0.59   (∂s/∂x = σ(x)·(1 − σ(x)) = 0.73·0.27 = 0.20)" in text
    text = render(ex.formula("2 * tanh(x)", x=-1.0))
    assert "(∂t1/∂x = 1 − tanh(x)² = 1 − (−0.76)² = 0.42)" in text
    text = render(ex.formula("3 * log(x)", x=2.0))
    assert "(∂t1/∂x = 1/x = 1/2 = 0.5)" in text
    text = render(ex.formula("x * y", x=2.0, y=-3.0))
    assert "∂f/∂x = y = −3" in text  # ∂(x·y)/∂x is y itself: no numbers to add


def test_tiny_gradients_are_not_zero():
    g = ex.formula("sigmoid(" * 30 + "x" + ")" * 30, x=1.0)
    assert 0 < float(g["x"].grad) < 1e-15
    text = render(g)
    grad = text.split("gradients\n")[1].strip()
    assert grad.startswith("∂f/∂x = ") and "e−" in grad and grad != "∂f/∂x = 0"

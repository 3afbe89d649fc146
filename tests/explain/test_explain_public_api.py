"""The explainer evaluates formulas with chainrule's public functions, so its gates are the engine's gates:
the graph of a formula is the graph the same expression records in Python."""

import re
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
import chainrule.explain as ex

EXPLAIN = Path(ex.__file__).parent

CASES = [
    ("relu(x)", lambda x, y: cr.relu(x)),
    ("x - y", lambda x, y: x - y),
    ("2 - x", lambda x, y: 2 - x),
    ("mean(x * y)", lambda x, y: (x * y).mean()),
    ("sqrt(x) / y + 3 / x", lambda x, y: cr.sqrt(x) / y + 3 / x),
    ("sigmoid(x) * tanh(y) - exp(-x)", lambda x, y: x.sigmoid() * cr.tanh(y) - cr.exp(-x)),
    ("max(x, y) + abs(min(x, 0.5)) + log(x) ** 2", lambda x, y: cr.maximum(x, y) + cr.abs(cr.minimum(x, 0.5))
     + cr.log(x) ** 2),
    ("sum(sin(x) * cos(y))", lambda x, y: (cr.sin(x) * cr.cos(y)).sum()),
]
AT = dict(x=[0.5, 2.0, 3.0], y=[1.5, -1.0, 0.25])


@pytest.mark.parametrize("source, python", CASES, ids=[c[0] for c in CASES])
def test_a_formulas_gates_are_the_engines_nodes(source, python):
    g = ex.formula(source, **AT)
    x, y = (cr.tensor(v, dtype=cr.float64, requires_grad=True) for v in AT.values())
    with ex.record():
        out = python(x, y)
    engine = ex.graph(out, names={"x": x, "y": y})
    assert [n.engine_op for n in g.gates] == [n.engine_op for n in engine.gates]
    np.testing.assert_allclose(g.out.value, out.detach().numpy(), rtol=1e-12)
    out.sum().backward()
    np.testing.assert_allclose(g["x"].grad, x.grad.numpy(), rtol=1e-12)


def test_relu_is_the_engines_relu_gate():
    g = ex.formula("f = relu(x)", x=[-1.0, 2.0])
    (gate,) = g.gates
    assert gate.engine_op == "ReluBackward0" and gate.op == "relu"
    assert gate.local_templates == ["1 if {0} > 0 else 0"] and list(gate.local[0]) == [0, 1]


def test_gates_inside_a_composite_are_checked_too():
    """a − b records −b then +; mean records Σ then a scale: the check nudges the inner gate and replays the rest."""
    for source, at in [("mean((h - y)**2)", dict(h=[0.5, 1.5], y=[0.0, 1.0])), ("x / y", dict(x=2.0, y=3.0))]:
        g = ex.formula(source, **at)
        rows = ex.check(source, **at)
        assert {r["name"] for r in rows} == {n.name for n in g.nodes if n.kind != "const"}
        assert all(r["ok"] for r in rows), rows


def test_the_explainer_uses_only_the_public_api_outside_its_engine_seam():
    engines = "ops|tensor|backend|creation|autograd|random|engine"
    engine_modules = re.compile(rf"from \.\. import ({engines})\b|from \.\.({engines})\b|chainrule\.({engines})\.")
    private = re.compile(r"\._(edges|seq|arrays|freed|n_out|out_idx|Mode|call_user_backward|update_slow)\b|"
                         r"autograd\.unbroadcast|\.apply\(|\.backward\(fn")
    for path in EXPLAIN.glob("*.py"):
        text = path.read_text()
        assert not engine_modules.search(text), f"{path.name} imports an engine module"
        if path.name == "graph.py":  # the seam: one marked block
            seam_end = text.index("# ----", text.index("# --- the engine seam"))
            text = text[seam_end:]
        assert not private.search(text), f"{path.name} reaches into the engine: {private.search(text).group(0)}"

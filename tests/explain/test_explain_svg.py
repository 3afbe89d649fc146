"""The SVG: drawn by chainrule (valid XML, one node per gate, a colour key, a layout whose work is bounded), or
by Graphviz on request, under a time limit and with clean messages when it is missing, fails or is too slow."""

import shutil
import sys
import xml.etree.ElementTree as ET

import pytest

import chainrule.explain as ex
from chainrule.cli import main
from chainrule.explain import dot, svg
from chainrule.explain.layout import SWEEPS, layout

NEURON = "1/(1 + exp(-(w0*x0 + w1*x1 + w2)))"
AT = dict(w0=2, x0=-1, w1=-3, x1=-2, w2=-3)
# 60 statements, each using the one before and two earlier results: within every limit, and Graphviz's dot
# runs for minutes on it (its long-range wires); chainrule's own layout does the same bounded work as always
SIXTY = "; ".join(f"q{k} = {'x' if k == 0 else f'q{k - 1}'}*{'yz'[k % 2]} + {'x' if k < 3 else f'q{k // 3}'}"
                  for k in range(60))
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")


def _classes(root):
    return [e.get("class", "") for e in root.iter() if e.tag.endswith("}g")]


def test_svg_is_valid_xml_with_one_node_per_gate_and_a_colour_key():
    g = ex.formula(NEURON, **AT)
    root = ET.fromstring(svg.to_svg(g))
    classes = _classes(root)
    assert classes.count("node gate") == len(g.gates) == 8
    assert classes.count("node input") == 5 and classes.count("node output") == 1
    assert classes.count("wire") == 13  # 4 two-input gates, 4 one-input (+1 is a label), and the output
    text = "".join(root.itertext())
    for label in ["·(−1)", "exp", "+1", "1/x", "0.73", "−0.53", "−0.20", "0.39", "−0.59"]:
        assert label in text, label
    legend = next(e for e in root.iter() if e.get("class") == "legend")
    key = "".join(legend.itertext())
    assert "green, above a wire:" in key and "the value it carries forward" in key
    assert "red, below:" in key and "the gradient ∂f/∂(that value)" in key


def test_values_above_and_gradients_below_each_wire():
    g = ex.formula("(x + y) * z", x=-2, y=5, z=-4)
    root = ET.fromstring(svg.to_svg(g))
    for wire in (e for e in root.iter() if e.get("class") == "wire"):
        texts = {t.get("class"): t for t in wire if t.tag.endswith("text")}
        assert float(texts["value"].get("y")) < float(texts["grad"].get("y"))


def test_the_layout_does_bounded_work_on_the_formula_that_stalls_graphviz():
    g = ex.formula(SIXTY, x=0.5, y=-1.0, z=2.0)
    assert len(g.gates) == 120
    lay = layout(g)
    wires = sum(len(n.inputs) for n in g.gates)
    assert len(g.gates) <= len(lay.pos) <= len(g.nodes) + wires  # gates, and inputs beside their readers
    assert lay.work <= SWEEPS * (len(lay.pos) + 2 * wires)  # barycentre sweeps, nothing that can run away
    ET.fromstring(svg.to_svg(g))
    flat = ex.formula("+".join(["x"] * 500), x=1.0)  # the largest kind of formula within the limits
    lay = layout(flat)
    assert lay.work <= SWEEPS * (len(lay.pos) + 2 * 2 * len(flat.gates))


def test_an_input_read_in_several_columns_is_drawn_beside_each():
    g = ex.formula("s = sigmoid(x); f = tanh(s * y) + relu(x) * x + log(y)", x=1.0, y=2.0)
    lay = layout(g)
    copies = sorted(k for k in lay.pos if not isinstance(k, int))
    x, y = g["x"].index, g["y"].index
    assert [k[0] for k in copies].count(x) == 2 and [k[0] for k in copies].count(y) == 2
    for wire in lay.wires:  # every wire from an input or constant spans one column: none crosses the circuit
        if g.nodes[wire.source].kind != "gate":
            assert wire.points[-1][0] - wire.points[0][0] < lay.col_w
    root = ET.fromstring(svg.to_svg(g))
    ids = [e.get("id") for e in root.iter() if e.get("class") == "node input"]
    assert len(ids) == len(set(ids)) == 4


def test_cli_writes_the_svg_without_graphviz(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)  # no dot anywhere: the default needs none
    out = tmp_path / "circuit.svg"
    assert main(["explain", "(x + y) * z", "--at", "x=-2", "y=5", "z=-4", "--svg", str(out)]) == 0
    root = ET.parse(out).getroot()
    assert _classes(root).count("node gate") == 2
    assert main(["explain", SIXTY, "--at", "x=0.5", "y=-1", "z=2", "--svg", str(out)]) == 0
    assert _classes(ET.parse(out).getroot()).count("node gate") == 120


@needs_dot
def test_graphviz_on_request():
    g = ex.formula(NEURON, **AT)
    root = ET.fromstring(dot.to_svg(g))
    classes = _classes(root)
    assert classes.count("node gate") == 8 and classes.count("node output") == 1
    assert "green: the value a wire carries forward" in "".join(root.itertext())


def test_a_slow_graphviz_is_stopped_with_a_clean_message(tmp_path, capsys):
    slow = tmp_path / "dot"
    slow.write_text(f"#!{sys.executable}\nimport time\ntime.sleep(60)\n")
    slow.chmod(0o755)
    g = ex.formula(SIXTY, x=0.5, y=-1.0, z=2.0)
    with pytest.raises(dot.GraphvizTimeout, match=r"did not finish laying out the circuit \(120 gates, 240 wires\) "
                       r"within 0.5 s and was stopped; drop --graphviz"):
        dot.to_svg(g, dot=str(slow), timeout=0.5)


def test_the_command_reports_a_stalled_graphviz_cleanly(tmp_path, capsys, monkeypatch):
    def stalled(g, digits=2, dot=None, timeout=dot.TIMEOUT):
        raise dot_module.GraphvizTimeout(f"Graphviz's dot did not finish ... within {timeout:g} s")

    dot_module = dot
    monkeypatch.setattr(dot, "to_svg", stalled)
    code = main(["explain", SIXTY, "--at", "x=0.5", "y=-1", "z=2", "--svg", str(tmp_path / "a.svg"), "--graphviz"])
    captured = capsys.readouterr()
    assert code == 1 and "within 20 s" in captured.err and "Traceback" not in captured.err
    assert "∂q59/∂x" in captured.out  # the explanation itself is printed first
    assert main(["explain", "x*y", "--at", "x=1", "y=2", "--graphviz"]) == 2
    assert "give --svg FILE too" in capsys.readouterr().err


def test_missing_or_failing_graphviz_names_the_fix(monkeypatch, tmp_path, capsys):
    g = ex.formula("x * y", x=1, y=2)
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(dot.GraphvizMissing, match="`graphviz`"):
        dot.to_svg(g)
    assert main(["explain", "x * y", "--at", "x=1", "y=2", "--svg", str(tmp_path / "a.svg"), "--graphviz"]) == 1
    captured = capsys.readouterr()
    assert "∂f/∂x" in captured.out and "apt-get install graphviz" in captured.err
    broken = tmp_path / "dot"
    broken.write_text(f"#!{sys.executable}\nimport sys\nsys.stderr.write('syntax error in line 1')\nsys.exit(3)\n")
    broken.chmod(0o755)
    with pytest.raises(dot.GraphvizError, match=r"failed \(exit 3\): syntax error in line 1"):
        dot.to_svg(g, dot=str(broken))


def test_dot_source_escapes_names():
    import chainrule as cr

    x = cr.tensor(1.0, requires_grad=True)
    with ex.record():
        y = x * 2
    source = dot.to_dot(ex.graph(y, names={'a"b\\': x}))
    assert 'label="a\\"b\\\\"' in source
    drawing = svg.to_svg(ex.graph(y, names={"<b>&": x}))
    assert "<b>&" not in drawing and "&lt;b&gt;&amp;" in drawing
    ET.fromstring(drawing)


@needs_dot
def test_the_real_graphviz_is_stopped_on_the_sixty_statement_formula():
    g = ex.formula(SIXTY, x=0.5, y=-1.0, z=2.0)
    with pytest.raises(dot.GraphvizTimeout, match="within 1 s and was stopped"):
        dot.to_svg(g, timeout=1)

"""The SVG: valid XML from Graphviz with one node per gate; a clear message when `dot` is missing."""

import shutil
import xml.etree.ElementTree as ET

import pytest

import chainrule.explain as ex
from chainrule.cli import main
from chainrule.explain import svg

NEURON = "1/(1 + exp(-(w0*x0 + w1*x1 + w2)))"
AT = dict(w0=2, x0=-1, w1=-3, x1=-2, w2=-3)
needs_dot = pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz `dot` is not installed")


def _classes(root):
    return [e.get("class", "") for e in root.iter() if e.tag.endswith("}g")]


@needs_dot
def test_svg_is_valid_xml_with_one_node_per_gate():
    g = ex.formula(NEURON, **AT)
    root = ET.fromstring(svg.to_svg(g))
    classes = _classes(root)
    assert classes.count("node gate") == len(g.gates) == 8
    assert classes.count("node input") == 5 and classes.count("node output") == 1
    text = "".join(root.itertext())
    for label in ["·(−1)", "exp", "+1", "1/x", "0.73", "−0.53", "−0.20", "0.39", "−0.59"]:
        assert label in text, label


@needs_dot
def test_cli_writes_the_svg(tmp_path, capsys):
    out = tmp_path / "circuit.svg"
    assert main(["explain", "(x + y) * z", "--at", "x=-2", "y=5", "z=-4", "--svg", str(out)]) == 0
    root = ET.parse(out).getroot()
    assert _classes(root).count("node gate") == 2


def test_missing_graphviz_names_the_package(monkeypatch, tmp_path, capsys):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    g = ex.formula("x * y", x=1, y=2)
    with pytest.raises(svg.GraphvizMissing, match="`graphviz`"):
        svg.to_svg(g)
    assert main(["explain", "x * y", "--at", "x=1", "y=2", "--svg", str(tmp_path / "a.svg")]) == 1
    captured = capsys.readouterr()
    assert "∂f/∂x" in captured.out and "apt-get install graphviz" in captured.err


def test_dot_source_escapes_names():
    import chainrule as cr

    x = cr.tensor(1.0, requires_grad=True)
    with ex.record():
        y = x * 2
    dot = svg.to_dot(ex.graph(y, names={'a"b\\': x}))
    assert 'label="a\\"b\\\\"' in dot

"""explain in a Jupyter notebook: a graph shows its stepping page inline (an iframe whose srcdoc is the page, so
its script runs) and its circuit as chainrule's own SVG; the SGD table likewise; a layer report as an HTML
table; every repr is one short line, not a dataclass dump. All of it self-contained: nothing fetched."""

import html
import re
import xml.etree.ElementTree as ET

import pytest

import chainrule as cr
import chainrule.explain as ex
from chainrule import nn
from chainrule.explain.html import to_html
from chainrule.explain.sgd_views import to_html as sgd_to_html
from extras import require

NEURON = "1/(1 + exp(-(w0*x0 + w1*x1 + w2)))"
AT = dict(w0=2, x0=-1, w1=-3, x1=-2, w2=-3)
SVG_NS = "http://www.w3.org/2000/svg"


def neuron():
    return ex.formula(NEURON, **AT)


def slide_table():
    return ex.sgd("w*x + b", "0.5*(h - y)**2", dict(w=0.1, b=1, x=1, y=3), 0.2, 3, carry_rounded=2)


def fetches_nothing(text):
    """No attribute points anywhere (src/href to a URL), and no URL but the SVG namespace, which names and
    fetches nothing (in an iframe's srcdoc too: the text is unescaped first)."""
    text = html.unescape(text)
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", text, re.I)
    assert not re.search(r"url\(\s*['\"]?(https?:|//)", text, re.I)
    assert re.findall(r"https?://[^\s\"'<>]+", text.replace(f'xmlns="{SVG_NS}"', "")) == []


def srcdoc(fragment):
    """The page inside the iframe of a ``_repr_html_``."""
    m = re.fullmatch(r'<iframe srcdoc="([^"]*)" title="[^"]*" sandbox="allow-scripts" style="[^"]*"></iframe>',
                     fragment)
    assert m, fragment[:300]
    return html.unescape(m.group(1))


def test_a_graph_repr_is_one_line_with_its_numbers():
    g = ex.formula("q = x + y; f = q * z", x=-2, y=5, z=-4)
    assert repr(g) == "Graph(f = −12: 3 inputs (x, y, z), 2 gates; ∂f/∂x = −4, ∂f/∂y = −4, ∂f/∂z = 3)"
    assert repr(g["q"]) == "Node(q: gate +, value 3, gradient −4)"
    assert repr(g["x"]) == "Node(x: input, value −2, gradient −4)"
    big = ex.formula("+".join(f"x{k}" for k in range(9)), **{f"x{k}": k for k in range(9)})
    assert repr(big).endswith("∂f/∂x5 = 1, … (3 more))") and "\n" not in repr(big)


def test_a_graph_shows_its_stepping_page_inline():
    g = neuron()
    fragment = g._repr_html_()
    page = srcdoc(fragment)
    assert page == to_html(g)  # the page of --html, whole: its script, its data, its drawing
    assert "<script>" in page and 'const DATA = {' in page
    for line in ("f = 1/t7 = 1/1.37 = 0.73", "∂f/∂w0 = −0.20", "∂f/∂x1 = −0.59"):
        assert line in page
    assert '<svg xmlns="http://www.w3.org/2000/svg" id="circuit" class="cr-circuit"' in page
    fetches_nothing(fragment)
    fetches_nothing(page)
    height = int(re.search(r"style=\"width: 100%; height: (\d+)px", fragment).group(1))
    assert 500 < height < 900


def test_a_graph_is_chainrules_own_svg(monkeypatch):
    import subprocess

    def no_programs(*a, **k):
        raise AssertionError("the SVG must not run any program (Graphviz)")

    monkeypatch.setattr(subprocess, "run", no_programs)
    monkeypatch.setattr(subprocess, "Popen", no_programs)
    svg = neuron()._repr_svg_()
    root = ET.fromstring(svg)
    assert root.tag == f"{{{SVG_NS}}}svg" and root.get("class") == "cr-circuit"
    gates = root.findall(f".//{{{SVG_NS}}}g[@class='node gate']")
    ops = sorted(g.find(f"{{{SVG_NS}}}text").text for g in gates)
    assert ops == sorted(["·", "·", "+", "+", "·(−1)", "exp", "+1", "1/x"])
    texts = [t.text for t in root.iter(f"{{{SVG_NS}}}text")]
    assert {"0.73", "0.37", "1.37", "−0.53", "−0.20", "0.39", "−0.59"} <= set(texts)
    assert "green, above a wire:" in "".join(root.itertext())  # the colour key
    # every style rule is scoped to the drawing: shown inline, it leaves the notebook's own look alone
    style = root.find(f"{{{SVG_NS}}}style").text
    selectors = [s.strip() for rule in re.findall(r"([^{}]+)\{", style) for s in rule.split(",")]
    assert selectors and all(s.startswith(".cr-circuit ") for s in selectors), selectors
    assert root.find(f".//{{{SVG_NS}}}marker").get("id") == "cr-arrow"
    fetches_nothing(svg)


def test_the_sgd_table_in_a_notebook():
    table = slide_table()
    assert repr(table) == ("SGDTable(h = w*x + b; L = 0.5*(h - y)**2; lr 0.2, 3 steps, 2 decimals carried: "
                           "w = 0.85, b = 1.75)")
    assert str(table) == table.text()
    page = srcdoc(table._repr_html_())
    assert page == sgd_to_html(table)
    assert "1.746, carried as 1.75" in page and "b = 1.7448 (printed 1.74)" in page
    fetches_nothing(table._repr_html_())
    svg = table._repr_svg_()
    root = ET.fromstring(svg)
    assert root.get("class") == "cr-sgd"
    texts = [t.text for t in root.iter(f"{{{SVG_NS}}}text")]
    assert texts.count("1.75") == 1 and "0.85" in texts and "−0.68" in texts
    assert any("b = 1.7448 (printed 1.74)" in t for t in texts)  # the note
    style = root.find(f"{{{SVG_NS}}}style").text
    selectors = [s.strip() for rule in re.findall(r"([^{}]+)\{", style) for s in rule.split(",")]
    assert all(s.startswith(".cr-sgd") for s in selectors), selectors
    fetches_nothing(svg)


def _layer_report():
    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3))
    return ex.layers(model, cr.randn(5, 4), cr.tensor([0, 1, 2, 0, 1]), nn.CrossEntropyLoss())


def test_a_layer_report_is_a_table_and_a_short_repr():
    report = _layer_report()
    text = repr(report)
    assert text.startswith("LayerReport(Sequential on a batch of 5: CrossEntropyLoss ")
    assert text.endswith("3 layers; δᵀ·in = ∂L/∂W for 2 of 2 Linear layers)") and "array" not in text
    assert re.fullmatch(r"Layer\(2 Linear, output 5×3, ‖δ‖ = [\d.]+, ‖∂L/∂weight‖ = [\d.]+, ‖∂L/∂bias‖ = [\d.]+\)",
                        repr(report.layers[0]))
    fragment = report._repr_html_()
    assert "<style" not in fragment and "<script" not in fragment  # nothing that reaches beyond the output
    fetches_nothing(fragment)
    head, rows, note = report.parts()
    cells = [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
             for tr in re.findall(r"<tr>(.*?)</tr>", fragment.split("<tbody>")[1])]
    assert cells == [list(r) for r in rows[1:]]  # the very cells of the text form
    assert [html.unescape(c) for c in re.findall(r"<th style=[^>]*>(.*?)</th>", fragment)] == list(rows[0])
    assert "✓" in fragment and html.escape(head[0]) in fragment
    for row in rows[1:]:
        assert " ".join(c for c in row if c) in " ".join(" ".join(report.text().split()).split())


def test_ipython_shows_html_svg_and_the_short_repr():
    formatters = pytest.importorskip("IPython.core.formatters")
    fmt = formatters.DisplayFormatter()
    for obj, kinds in ((neuron(), {"text/html", "image/svg+xml"}), (slide_table(), {"text/html", "image/svg+xml"}),
                       (_layer_report(), {"text/html"})):
        bundle, _ = fmt.format(obj)
        assert kinds | {"text/plain"} <= set(bundle), set(bundle)
        assert bundle["text/plain"] == repr(obj) and "\n" not in bundle["text/plain"]


@pytest.mark.browser
def test_the_inline_pages_run_in_a_notebook_like_page(browser, tmp_path):
    """A page holding the outputs as a notebook holds them: each iframe runs its own script, steps, fits its
    height, and highlights its gates with its own styles."""
    g, table = neuron(), slide_table()
    page_path = tmp_path / "notebook.html"
    page_path.write_text('<!DOCTYPE html><html><head><meta charset="utf-8"></head><body style="width: 1100px">'
                         + g._repr_html_() + table._repr_html_() + g._repr_svg_() + "</body></html>",
                         encoding="utf-8")
    page = browser.new_page(viewport={"width": 1150, "height": 900})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(page_path.resolve().as_uri())
    circuit, sgd = page.frames[1], page.frames[2]
    assert circuit.evaluate("window.explain") == {"step": 0, "steps": 19, "phase": "inputs"}
    assert sgd.evaluate("window.explain") == {"step": 0, "steps": 10, "phase": "forward"}
    for frame in (circuit, sgd):  # the page fits: no scrolling needed at its first step
        bottom = frame.evaluate("Math.ceil(document.body.getBoundingClientRect().bottom)")
        assert bottom <= frame.frame_element().bounding_box()["height"], bottom
    for _ in range(8):
        circuit.click("#next")
    assert "f = 1/t7 = 1/1.37 = 0.73" in circuit.inner_text("#lines")
    fill = circuit.eval_on_selector("#circuit .gate.current circle", "c => getComputedStyle(c).fill")
    assert fill == "rgb(255, 213, 79)"  # the page's highlight wins over the drawing's own style
    for _ in range(8):
        sgd.click("#next")
    assert sgd.locator("td.current").all_inner_texts() == ["0.85", "1.75"]
    # the inline SVG beside them keeps its own look and does not restyle the page
    assert page.eval_on_selector("body", "b => getComputedStyle(b).fontSize") == "16px"
    assert page.locator("svg.cr-circuit .gate").count() == 8
    page.close()
    assert not errors, errors


def test_a_real_kernel_returns_the_rich_outputs(tmp_path):
    """A notebook executed on an IPython kernel (nbclient): each object's output carries its HTML (and SVG),
    with the short repr as the plain text."""
    nbformat, nbclient, _ = require("nbformat"), require("nbclient"), require("ipykernel")  # CI: a failure
    from pathlib import Path

    src = str(Path(cr.__file__).parent.parent)  # the kernel imports this chainrule, whatever is installed
    cells = [f"import sys; sys.path.insert(0, {src!r})\nimport chainrule, chainrule.explain as ex\n"
             "chainrule.__file__",
             f"ex.formula({NEURON!r}, **{AT!r})",
             "ex.sgd('w*x + b', '0.5*(h - y)**2', dict(w=0.1, b=1, x=1, y=3), 0.2, 3, carry_rounded=2)",
             "from chainrule import doctor\nm, l, b, o = doctor.planted('zero-init')\ndoctor.diagnose(m, l, b, o)"]
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(c) for c in cells])
    nbclient.NotebookClient(nb, timeout=180, kernel_name="python3", resources={"metadata": {"path": str(tmp_path)}}
                            ).execute()
    (where,), (graph,), (table,), (report,) = (c.outputs for c in nb.cells)
    assert where["data"]["text/plain"].strip("'").startswith(src)
    assert graph["data"]["text/plain"].startswith("Graph(f = 0.73: 5 inputs (w0, x0, w1, x1, w2), 8 gates;")
    assert srcdoc(graph["data"]["text/html"]) == to_html(neuron())
    assert graph["data"]["image/svg+xml"] == neuron()._repr_svg_()
    assert "1.746, carried as 1.75" in srcdoc(table["data"]["text/html"]) and "1.75" in table["data"]["image/svg+xml"]
    assert report["data"]["text/plain"].startswith("doctor.Report(NOT healthy: 3 errors (symmetry, no_gradient)")
    assert "threshold: any duplicated unit is a warning" in report["data"]["text/html"]

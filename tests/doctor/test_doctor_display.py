"""The doctor in a Jupyter notebook: a report shows as HTML that says first what is wrong, then every finding with
its number, threshold and fix, the loss, the per-layer table and the LR range plot (a PNG inside the page); its
repr, a finding's and a layer's are one short line. Making the plot leaves the notebook's matplotlib backend,
rcParams and pyplot figures as they were."""

import base64
import html
import re
from html.parser import HTMLParser

import numpy as np
import pytest

from chainrule import doctor
from chainrule.doctor import planted
from chainrule.doctor.findings import LAYER_HEAD, layer_rows


def diagnose(case, **kw):
    model, loss_fn, batch, opt = planted(case)
    return doctor.diagnose(model, loss_fn, batch, opt, **kw)


class _Text(HTMLParser):
    """The text a reader sees, and whether every opened element is closed."""

    VOID = {"img", "br", "meta"}

    def __init__(self):
        super().__init__()
        self.parts, self.open = [], []

    def handle_starttag(self, tag, attrs):
        if tag not in self.VOID:
            self.open.append(tag)

    def handle_endtag(self, tag):
        assert self.open and self.open.pop() == tag, (tag, self.open)

    def handle_data(self, data):
        self.parts.append(data)


def seen(fragment):
    p = _Text()
    p.feed(fragment)
    p.close()
    assert not p.open, p.open
    return " ".join(" ".join(p.parts).split())


def self_contained(fragment):
    assert "<style" not in fragment and "<script" not in fragment  # nothing that restyles or runs in the notebook
    assert not re.search(r"""(src|href)\s*=\s*["']?\s*(https?:|//)""", fragment, re.I)
    assert "http" not in fragment


def test_a_report_with_errors_says_so_first_then_each_finding():
    report = diagnose("zero-init")
    fragment = report._repr_html_()
    self_contained(fragment)
    text = seen(fragment)
    assert text.startswith("doctor: not healthy — 3 errors (symmetry, no_gradient), 1 info (output_symmetry)")
    for f in report.findings:
        for part in (f.severity.upper(), f.code, f.message, f"threshold: {f.threshold}", f"fix: {f.fix}"):
            assert " ".join(part.split()) in text, part
    assert text.index("ERROR") < text.index("INFO") < text.index("loss 2.303")
    assert "over the next steps: 2.303 → 2.303" in text
    # the per-layer table: the cells of the text form
    cells = [[html.unescape(c) for c in re.findall(r"<td[^>]*>(.*?)</td>", tr)]
             for tr in re.findall(r"<tr>(.*?)</tr>", fragment.split("<tbody>")[1])]
    assert cells == [list(r) for r in layer_rows(report)] and len(cells) == 3
    assert [html.unescape(h) for h in re.findall(r"<th style=[^>]*>(.*?)</th>", fragment)] == list(LAYER_HEAD)
    assert fragment.count('class="finding error"') == 3 and fragment.count('class="finding info"') == 1


def test_a_healthy_report_and_the_warnings_of_input_scale():
    text = seen(diagnose("healthy")._repr_html_())
    assert text.startswith("doctor: healthy — no problems found loss 2.305")
    report = diagnose("input-scale")
    text = seen(report._repr_html_())
    assert text.startswith("doctor: not healthy — 2 warnings (input_scale, initial_loss)")
    assert "feature 5 (RMS" in text and "fix: Standardise each input feature" in text


def test_reprs_are_one_short_line():
    report = diagnose("zero-init")
    assert repr(report) == ("doctor.Report(NOT healthy: 3 errors (symmetry, no_gradient), 1 info (output_symmetry); "
                            "loss 2.303, 3 layers)")
    assert [repr(f) for f in report.findings[:3]] == ["Finding(error symmetry layer 0 = 64)",
                                                      "Finding(error symmetry layer 2 = 64)",
                                                      "Finding(error no_gradient layer 0 = 0)"]
    assert repr(report.layers[0]) == "LayerStats(0 Linear(64→64) tanh: act std 0, saturated 0%, grad RMS 0.00e+00)"
    assert repr(diagnose("healthy")) == "doctor.Report(healthy: no problems found; loss 2.305, 3 layers)"
    formatters = pytest.importorskip("IPython.core.formatters")
    bundle, _ = formatters.DisplayFormatter().format(report)
    assert bundle["text/plain"] == repr(report) and bundle["text/html"] == report._repr_html_()


@pytest.fixture
def callers_matplotlib():
    """A notebook's matplotlib: its own backend (svg, not Agg), its own rcParams and a pyplot figure open."""
    matplotlib = pytest.importorskip("matplotlib")
    import matplotlib.pyplot as plt

    old_backend = matplotlib.get_backend()
    plt.switch_backend("svg")
    with matplotlib.rc_context({"font.size": 13.0, "axes.grid": False, "lines.linewidth": 3.0}):
        mine = plt.figure()
        yield matplotlib, dict(matplotlib.rcParams), plt.get_fignums()
        plt.close(mine)
    plt.switch_backend(old_backend)


def test_the_range_plot_in_the_report_leaves_matplotlib_as_it_was(callers_matplotlib):
    import matplotlib.pyplot as plt

    matplotlib, params, figures = callers_matplotlib
    model, loss_fn, (X, y), opt = planted("healthy")
    report = doctor.diagnose(model, loss_fn, (X, y), opt, lr_range=(X, y))
    fragment = report._repr_html_()
    (png,) = re.findall(r'<img alt="learning-rate range test" src="data:image/png;base64,([A-Za-z0-9+/=]+)">',
                        fragment)
    data = base64.b64decode(png)
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 10_000
    assert "LR range test: suggested learning rate" in seen(fragment)
    ax = doctor.plot_lr_range(report.lr_range)  # and the plot on a figure of its own
    assert ax.figure.canvas.manager is None
    assert matplotlib.get_backend() == "svg"
    assert dict(matplotlib.rcParams) == params  # the doctor's style was for its drawing only
    assert plt.get_fignums() == figures  # no figure added to pyplot's


def test_a_report_shows_without_matplotlib(monkeypatch):
    from chainrule import plotting
    from chainrule.doctor.lr_range import analyse

    report = diagnose("healthy")
    lrs = list(np.geomspace(1e-5, 10, 100))
    raw = list(0.1 + 0.002 * np.random.default_rng(0).normal(size=100))
    report.lr_range = {**analyse(lrs, raw, raw, 100), "lrs": lrs, "losses": raw, "raw_losses": raw}
    monkeypatch.setattr(plotting, "have_matplotlib", lambda: False)
    fragment = report._repr_html_()
    assert "<img" not in fragment and "LR range test: no suggestion" in seen(fragment)


def test_no_explain_or_doctor_module_touches_matplotlibs_globals():
    """Their figures come from chainrule.plotting (its own tests cover it); no other module imports pyplot, sets
    the backend or touches the global rcParams — read from the code, not the docstrings."""
    import ast
    from pathlib import Path

    import chainrule

    root = Path(chainrule.__file__).parent
    paths = sorted([*root.glob("explain/*.py"), *root.glob("doctor/*.py")])
    assert len(paths) > 20
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import | ast.ImportFrom):
                names = [a.name for a in node.names] + [getattr(node, "module", None) or ""]
                assert not any("pyplot" in n or n == "matplotlib" for n in names), (path.name, names)
            if isinstance(node, ast.Attribute):
                assert node.attr not in ("rcParams", "rc", "rcdefaults", "use", "switch_backend", "rc_file"), (
                    path.name, node.attr, node.lineno)

"""What Jupyter shows: fit's tqdm progress bar (stderr, rate and time left, off with verbose=0), History's
learning curves inline, figures that render themselves (no %matplotlib inline, no pyplot, no global rcParams)."""

import io
import pathlib
import re
import subprocess
import sys

import pytest

import chainrule as cr
from chainrule import nn, optim
from chainrule.train import History, ProgressBar, fit

ROOT = pathlib.Path(__file__).resolve().parents[2]


def _fit(**kw):
    cr.manual_seed(0)
    X = cr.randn(64, 2)
    y = (X[:, 0] > 0).long()
    m = nn.Linear(2, 2)
    return fit(m, nn.CrossEntropyLoss(), optim.SGD(m.parameters(), lr=0.1), (X, y), (X, y), epochs=3,
               batch_size=8, metrics=["accuracy"], **kw)


def test_tqdm_bar_on_stderr_with_rate_and_eta(capsys):
    pytest.importorskip("tqdm")
    out = io.StringIO()
    _fit(callbacks=[ProgressBar(out, bar=True, refresh=1e6)], verbose=True)
    err = capsys.readouterr().err
    assert re.search(r"training: +\d+%.*\d+/24 \[\d\d:\d\d<\d\d:\d\d, +[\d.]+batch/s, epoch \d/3, loss", err), err
    lines = out.getvalue().splitlines()  # the summary lines stay on the stream, one per epoch
    assert [line.split()[1] for line in lines] == ["1/3", "2/3", "3/3"] and "val_accuracy" in lines[0]


def test_verbose_0_prints_nothing_and_no_bar_where_nobody_watches(capsys):
    _fit(verbose=0)
    assert capsys.readouterr() == ("", "")
    _fit(verbose=True)  # stderr is not a terminal here (pytest captures it): summary lines only
    out, err = capsys.readouterr()
    assert out.count("\n") == 3 and err == ""


def test_history_html_shows_numbers_and_learning_curves(monkeypatch):
    pytest.importorskip("matplotlib")
    h = _fit(verbose=0)
    page = h._repr_html_()
    assert "3 epochs" in page and "best val_loss" in page and "val_accuracy" in page
    assert '<img alt="learning curves" src="data:image/png;base64,iVBOR' in page
    from chainrule import plotting

    monkeypatch.setattr(plotting, "have_matplotlib", lambda: False)
    assert "<img" not in h._repr_html_() and "val_accuracy" in h._repr_html_()
    assert "no epoch yet" in History()._repr_html_()


def test_figures_render_themselves_without_pyplot():
    pytest.importorskip("matplotlib")
    code = """
import sys, chainrule as cr
from chainrule.train import plots, History
import matplotlib
r = matplotlib.rcParams  # read with _get: reading "backend" through [] would resolve it, importing pyplot
state = lambda: {k: str(r._get(k)) for k in r.keys()}
before = state()
h = History()
for e in range(1, 4):
    h.append(e, {"loss": 1.0 / e, "val_loss": 1.2 / e})
fig = plots.learning_curves(h)
png = fig._repr_png_()
assert png.startswith(b"\\x89PNG"), png[:8]
assert "matplotlib.pyplot" not in sys.modules
assert state() == before, [(k, v) for k, v in state().items() if before[k] != v]
print("ok")
"""
    r = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120,
                       env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})
    assert r.stdout.strip() == "ok", r.stderr


def test_no_library_code_sets_the_backend_or_global_rcparams():
    bad = re.compile(r"matplotlib\.use\(|rcParams\[[^\]]+\]\s*=|rcParams\.update|style\.use\(|plt\.rc\(|rcdefaults")
    hits = [f"{p.relative_to(ROOT)}:{n}" for p in (ROOT / "src" / "chainrule").rglob("*.py")
            for n, line in enumerate(p.read_text().splitlines(), 1) if bad.search(line)]
    assert hits == []

"""chainrule's one matplotlib policy: the labs, the doctor and train.plots draw on figures of their own and
leave the caller's backend, rcParams and pyplot figures as they found them."""

import types

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")

from chainrule import doctor, plotting  # noqa: E402
from chainrule.labs._common import run_lab  # noqa: E402


@pytest.fixture
def callers_matplotlib():
    """A caller with its own backend (svg, not the Agg the labs used to force) and its own rcParams."""
    import matplotlib.pyplot as plt

    old_backend = matplotlib.get_backend()
    plt.switch_backend("svg")
    with matplotlib.rc_context({"font.size": 13.0, "axes.grid": False}):
        mine = plt.figure()
        yield dict(matplotlib.rcParams), plt.get_fignums()
        plt.close(mine)
    plt.switch_backend(old_backend)


def _draw(ctx):
    fig, ax = plotting.subplots(figsize=(3, 2), layout="constrained")
    ax.plot([0, 1], [1, 0])
    assert matplotlib.rcParams["font.size"] == plotting.LAB_STYLE["font.size"]  # the labs' look, while drawing
    ctx.figure(fig, "line.png", "a line")
    ctx.conclude("drawn")


def test_lab_and_doctor_plots_leave_the_callers_matplotlib_alone(callers_matplotlib, tmp_path):
    import matplotlib.pyplot as plt

    params, figures = callers_matplotlib
    lab = types.SimpleNamespace(name="draw", title="t", claim="c", run=_draw)
    result = run_lab(lab, tmp_path, mode="quick", echo=None)
    assert (tmp_path / "line.png").stat().st_size > 1000 and result.conclusion == "drawn"
    lrs = list(np.geomspace(1e-4, 1.0, 20))
    ax = doctor.plot_lr_range({"lrs": lrs, "losses": [1.0] * 20, "raw_losses": [1.0] * 20, "suggested_lr": 1e-3,
                               "min_loss_lr": 1e-2})
    plotting.save(ax.figure, tmp_path / "lr.png")
    assert matplotlib.get_backend() == "svg"
    assert dict(matplotlib.rcParams) == params
    assert plt.get_fignums() == figures  # nothing was added to pyplot's figures


def test_doctor_cli_lr_range_plot_leaves_the_backend(callers_matplotlib, tmp_path, capsys):
    from chainrule.cli import main

    params, _ = callers_matplotlib
    main(["doctor", "--demo", "healthy", "--lr-range", "--out", str(tmp_path)])
    assert (tmp_path / "lr_range.png").stat().st_size > 5000
    assert matplotlib.get_backend() == "svg" and dict(matplotlib.rcParams) == params


def test_style_is_undone_and_figures_are_pyplot_free_unless_asked():
    import matplotlib.pyplot as plt

    before, figures = dict(matplotlib.rcParams), plt.get_fignums()
    with plotting.style({"font.size": 21.0}):
        assert matplotlib.rcParams["font.size"] == 21.0
        fig = plotting.figure((2, 2))
    assert dict(matplotlib.rcParams) == before
    assert fig.canvas.manager is None and plt.get_fignums() == figures  # not one of pyplot's
    own = plotting.figure((2, 2), pyplot=True)
    try:
        assert own.number in plt.get_fignums()
    finally:
        plotting.close(own)
    assert own.number not in plt.get_fignums()
    assert plotting.colormap("viridis").name == "viridis"

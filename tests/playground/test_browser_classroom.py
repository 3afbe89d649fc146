"""The classroom round, in headless Chromium: the losses shown after Regenerate (B7), the exported script
replaying mid-run changes (B8), the projector layout at 1024 px, the hidden layer's view and every preset."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from browsing import epoch, open_page

import chainrule
from chainrule.playground import presets

pytestmark = pytest.mark.browser


def frame(page):
    return page.evaluate("window.playground.frame")


def test_regenerate_shows_the_new_datas_loss_at_once(server, page):
    open_page(page, server, "#seed=4")
    for n in (1, 2, 3):
        page.click("#next-step-button")
        page.wait_for_function(f"window.playground.frame.epoch === {n}")
    before = frame(page)["trainLoss"]
    page.click("#regenerate")
    page.wait_for_function("window.playground.config.seed !== 4")
    page.wait_for_function(f"window.playground.frame.epoch === 3 && window.playground.frame.trainLoss !== {before}")
    f = frame(page)
    assert page.inner_text("#loss-train") == f"{f['trainLoss']:.3f}" and epoch(page) == 3


def run_export(page, tmp_path):
    with page.expect_download() as dl:
        page.click("#export-script")
    path = tmp_path / "playground_run.py"
    dl.value.save_as(path)
    here = str(Path(chainrule.__file__).parents[1])  # the script runs on the chainrule these tests import
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env=env)
    assert done.returncode == 0, done.stderr[-2000:]
    return path.read_text(), done.stdout


def test_the_exported_script_replays_changes_made_while_playing(server, page, tmp_path):
    """B8: a learning rate changed while playing and a Regenerate are replayed at their epochs; the script
    reaches the loss the page shows."""
    open_page(page, server, "#seed=6&speed=2")
    page.click("#play-pause-button")
    page.wait_for_function("window.playground.frame.epoch >= 10")
    page.select_option("#learningRate", "0.1")
    page.wait_for_function("window.playground.frame.epoch >= 20")
    page.click("#regenerate")
    page.wait_for_function("window.playground.config.seed !== 6")
    page.wait_for_function("window.playground.frame.epoch >= 30")
    page.click("#play-pause-button")
    page.wait_for_function("!document.body.classList.contains('playing')")
    text, out = run_export(page, tmp_path)
    assert "'learningRate', 0.1" in text and "'regenerate'" in text and "NOT REPLAYED" not in text
    epochs = int(re.search(r"EPOCHS = (\d+)", text).group(1))
    page.wait_for_function(f"window.playground.frame.epoch === {epochs}")
    mine = re.search(r"training loss ([\d.]+), test loss ([\d.]+)\n", out)
    shown = re.search(r"the playground showed: training loss ([\d.]+), test loss ([\d.]+)", out)
    assert mine.groups() == shown.groups()
    assert mine.group(1) == f"{frame(page)['trainLoss']:.4f}" and mine.group(2) == f"{frame(page)['testLoss']:.4f}"


def test_a_change_the_script_cannot_replay_is_said_plainly(server, page, tmp_path):
    open_page(page, server, "#seed=6")
    for n in (1, 2):
        page.click("#next-step-button")
        page.wait_for_function(f"window.playground.frame.epoch === {n}")
    page.select_option("#optimizer", "adam")
    page.click("#next-step-button")
    page.wait_for_function("window.playground.frame.epoch === 3")
    text, out = run_export(page, tmp_path)
    assert "NOT REPLAYED" in text and "before epoch 2: optimizer changed from sgd to adam" in text
    assert "changes not replayed: see the top of this script" in out
    page.wait_for_selector("#banner:not(.hidden)")
    assert "does not replay" in page.inner_text("#banner") and "optimizer" in page.inner_text("#banner")


def test_projector_layout_at_1024_px(server, browser, tmp_path):
    """Network and output side by side at 1024 px, larger type, readable hover cards (the screenshot was looked
    at while building this: see the commit that added projector mode)."""
    page = browser.new_page(viewport={"width": 1024, "height": 768})
    try:
        open_page(page, server, "#projector=true&seed=2")
        assert page.evaluate("document.body.classList.contains('projector')")
        net, out = page.locator("#network-column").bounding_box(), page.locator("#output-column").bounding_box()
        heat = page.locator("#heatmap-wrap").bounding_box()
        assert out["x"] >= net["x"] + net["width"] - 1 and abs(out["y"] - net["y"]) < 2  # side by side
        assert out["x"] + out["width"] <= 1024 and heat["x"] + heat["width"] <= out["x"] + out["width"]
        assert heat["y"] + heat["height"] <= 768  # the output map is on the first screen
        size = lambda sel: float(page.eval_on_selector(sel, "e => getComputedStyle(e).fontSize")[:-2])  # noqa: E731
        assert size("body") >= 16 and size(".hint") >= 14 and size("#loss-test") >= 18
        hit = page.locator("#links-svg path.hit").first
        hit.hover(force=True)
        page.wait_for_selector("#hovercard:not(.hidden)")
        assert size("#hovercard") >= 18
        page.screenshot(path=str(tmp_path / "projector-1024.png"))
        page.click("#projector-button")
        assert not page.evaluate("document.body.classList.contains('projector')") and "projector" not in page.url
    finally:
        page.close()


def pixels(page):
    """How many distinct colours the hidden view's canvas shows (0 if it is blank)."""
    return page.evaluate("""(() => { const c = document.getElementById('hidden-canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data, seen = new Set();
        for (let i = 0; i < d.length; i += 64) seen.add(d[i] << 16 | d[i + 1] << 8 | d[i + 2]);
        return seen.size; })()""")


def test_the_hidden_layers_view(server, page):
    open_page(page, server, "#seed=1&networkShape=4,2&hiddenView=2")
    page.wait_for_function("window.playground.frame.warp && window.playground.frame.warp.dims === 2")
    assert page.is_visible("#hidden-canvas") and pixels(page) > 50
    assert "straight line" in page.inner_text("#hidden-note")
    first = frame(page)["warp"]["lines"]
    page.click("#play-pause-button")
    page.wait_for_function("window.playground.frame.epoch >= 20")
    page.click("#play-pause-button")
    assert frame(page)["warp"]["lines"] != first  # the plane moves as the network trains
    page.select_option("#hiddenStage", "pre")
    page.wait_for_function("window.playground.frame.warp.stage === 'pre'")
    assert "before its activation" in page.inner_text("#hidden-note")
    assert page.is_disabled("#hiddenView option[value='1']")  # 4 neurons: no view
    page.locator("#network .neuron-minus").nth(0).click()  # layer 1: 3 neurons -> a 3-D view
    page.wait_for_function("window.playground.frame.weights[0].length === 3")
    page.select_option("#hiddenView", "1")
    page.wait_for_function("window.playground.frame.warp.dims === 3 && window.playground.frame.warp.layer === 1")
    assert "hiddenView=1" in page.url and pixels(page) > 10
    before = page.locator("#hidden-canvas").screenshot()
    box = page.locator("#hidden-canvas").bounding_box()
    page.mouse.move(box["x"] + 100, box["y"] + 100)
    page.mouse.down()
    page.mouse.move(box["x"] + 180, box["y"] + 130)
    page.mouse.up()
    assert page.locator("#hidden-canvas").screenshot() != before  # dragging turns it
    page.click("#remove-layer")
    page.click("#remove-layer")  # the chosen layer is gone: the view says so instead of failing
    page.wait_for_function("window.playground.frame.weights.length === 1 && !!window.playground.frame.warp.error")
    assert "there is no hidden layer 1" in page.inner_text("#hidden-note") and page.is_hidden("#hidden-canvas")


@pytest.mark.parametrize("name", list(presets.PRESETS))
def test_every_preset(server, page, name):
    open_page(page, server, "#seed=9&learningRate=0.3")
    page.click(f"#preset-buttons button[data-preset='{name}']")
    want = presets.config(name)
    page.wait_for_function(f"window.playground.config.seed === {want['seed']} && window.playground.frame.epoch === 0 "
                           f"&& window.playground.frame.weights.length === {len(want['networkShape']) + 1}")
    cfg = page.evaluate("window.playground.config")
    assert {k: cfg[k] for k in want} == want
    assert f"preset={name}" in page.url and page.is_visible("#preset-note")
    assert presets.PRESETS[name]["title"] in page.inner_text("#preset-note")
    weights = frame(page)["weights"]
    page.click("#play-pause-button")
    page.wait_for_function("window.playground.frame.epoch >= 5")
    page.click("#play-pause-button")
    open_page(page, server, f"#preset={name}")  # the preset's link alone: the same setup, the same weights
    assert page.evaluate("window.playground.config") == cfg and frame(page)["weights"] == weights

"""The stepping HTML page: self-contained, safe to embed any name, and in headless Chromium its Next button
walks every step of the forward and then the backward pass."""

import os
import re

import pytest

import chainrule as cr
import chainrule.explain as ex
from chainrule.cli import main
from chainrule.explain.html import page_data, to_html

NEURON = "1/(1 + exp(-(w0*x0 + w1*x1 + w2)))"
AT = dict(w0=2, x0=-1, w1=-3, x1=-2, w2=-3)


def test_page_is_self_contained_and_escapes_names():
    x = cr.tensor(1.0, requires_grad=True)
    with ex.record():
        y = x * 2
    page = to_html(ex.graph(y, names={"</script><img src=x onerror=alert(1)>": x}))
    assert "</script><img" not in page  # the name is data, not markup
    assert not re.search(r"""(src|href)=["']?(https?:)?//""", page)  # nothing fetched from anywhere


def test_steps_are_inputs_forward_seed_backward_summary():
    g = ex.formula(NEURON, **AT)
    steps = page_data(g)["steps"]
    phases = [s["phase"] for s in steps]
    assert phases == ["inputs"] + ["forward"] * 8 + ["backward"] * 9 + ["done"]
    assert steps[-1]["lines"] == ["∂f/∂w0 = −0.20", "∂f/∂x0 = 0.39", "∂f/∂w1 = −0.39", "∂f/∂x1 = −0.59",
                                  "∂f/∂w2 = 0.20"]


@pytest.mark.browser
def test_next_walks_every_step_in_chromium(browser, tmp_path):
    path = tmp_path / "neuron.html"
    assert main(["explain", NEURON, "--at", *(f"{k}={v}" for k, v in AT.items()), "--html", str(path)]) == 0
    page = browser.new_page(viewport={"width": 1300, "height": 720})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri())
    n = page.evaluate("window.explain.steps")
    assert n == 19 and page.is_disabled("#back")
    seen = []
    for k in range(n):
        assert page.evaluate("window.explain.step") == k
        assert page.inner_text("#counter") == f"step {k + 1} of {n}"
        seen.append(page.inner_text("#lines"))
        if k == 14:  # backward through the first + gate: its gate is highlighted, the product is shown
            assert page.locator(".gate.current").count() == 1
            assert "∂f/∂w2 = ∂f/∂t4 · ∂t4/∂w2 = 0.20 · 1 = 0.20" in seen[-1]
            page.screenshot(path=str(tmp_path / "backward.png"))
        if k < n - 1:
            page.click("#next")
    assert page.is_disabled("#next")
    assert "f = 1/t7 = 1/1.37 = 0.73" in seen[8]
    assert "∂f/∂x1 = −0.59" in seen[-1]
    # every gradient label is on screen at the end; all were hidden at the start
    assert page.locator(".wire text.grad").evaluate_all("ts => ts.every(t => t.style.visibility === 'visible')")
    page.screenshot(path=str(tmp_path / "done.png"))
    assert (tmp_path / "done.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    page.click("#back")
    assert page.evaluate("window.explain.step") == n - 2
    page.keyboard.press("ArrowLeft")
    assert page.evaluate("window.explain.step") == n - 3
    if os.environ.get("EXPLAIN_SHOTS"):  # keep the screenshots to look at them
        import shutil

        for name in ("backward.png", "done.png"):
            shutil.copy(tmp_path / name, os.path.join(os.environ["EXPLAIN_SHOTS"], name))
    page.close()
    assert not errors, errors


def test_page_parts_are_substituted_once():
    x = cr.tensor(1.0, requires_grad=True)
    with ex.record():
        y = x * 2
    page = to_html(ex.graph(y, names={"x__DATA__": x}))
    assert page.count("x__DATA__") >= 2  # in the drawing and in the steps, as a name
    assert page.count("const DATA = {") == 1


@pytest.mark.browser
def test_sgd_page_fills_the_table_step_by_step(browser, tmp_path):
    path = tmp_path / "sgd.html"
    assert main(["explain", "sgd", "--model", "w*x + b", "--loss", "0.5*(h - y)**2", "--at", "w=0.1", "b=1", "x=1",
                 "y=3", "--lr", "0.2", "--steps", "3", "--carry-rounded", "--html", str(path)]) == 0
    page = browser.new_page(viewport={"width": 1100, "height": 700})
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(path.resolve().as_uri())
    assert page.evaluate("window.explain.steps") == 10
    hidden = "() => document.querySelectorAll('td.hidden').length"
    assert page.evaluate(hidden) == 3 * 7 - 2  # only step 1's h and L are shown at first
    for _ in range(8):
        page.click("#next")
    assert page.evaluate(hidden) == 0
    assert page.locator("td.current").all_inner_texts() == ["0.85", "1.75"]
    assert "1.746, carried as 1.75" in page.inner_text("#lines")
    page.screenshot(path=str(tmp_path / "sgd.png"))
    page.click("#next")
    assert "1.7448" in page.inner_text("#lines")
    if os.environ.get("EXPLAIN_SHOTS"):
        import shutil

        shutil.copy(tmp_path / "sgd.png", os.path.join(os.environ["EXPLAIN_SHOTS"], "sgd.png"))
    page.close()
    assert not errors, errors

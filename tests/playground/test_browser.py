"""End to end in headless Chromium (Debian's /usr/bin/chromium driven by Playwright): the server is
started through the real command, ``chainrule playground --no-browser --workers 2`` (conftest.py)."""

import pytest
from browsing import epoch, open_page

pytestmark = pytest.mark.browser


def test_play_trains_circle_and_screenshot(server, page, tmp_path):
    open_page(page, server, "#dataset=circle&seed=7")
    assert page.inner_text("#conn-status") == "connected"
    start = float(page.inner_text("#loss-test"))
    page.click("#play-pause-button")
    page.wait_for_function("window.playground.frame.epoch >= 120", timeout=90_000)  # a hang guard, not a timing
    page.click("#play-pause-button")
    assert epoch(page) >= 120
    assert float(page.inner_text("#loss-test")) < 0.5 * start
    shot = tmp_path / "playground.png"
    page.screenshot(path=str(shot), full_page=True)
    assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and shot.stat().st_size > 50_000


def test_add_layer_switch_optimizer_and_step(server, page):
    open_page(page, server)
    assert page.inner_text("#num-layers") == "2"
    page.click("#add-layers")
    page.wait_for_function("window.playground.frame.weights.length === 4")
    assert page.inner_text("#num-layers") == "3"
    assert page.locator("#network .node:not(.input)").count() == 4 + 2 + 2 + 1
    page.locator("#network .neuron-plus").nth(2).click()
    page.wait_for_function("window.playground.frame.weights[2].length === 3")
    page.select_option("#optimizer", "adam")
    assert page.is_visible("#beta1") and not page.is_visible("#momentum")
    assert "optimizer=adam" in page.url and "networkShape=4%2C2%2C3" in page.url
    page.click("#next-step-button")
    page.wait_for_function("window.playground.frame.epoch === 1")


def test_click_adds_points(server, page):
    open_page(page, server, "#seed=3")
    n0, m0 = page.evaluate("[window.playground.data.train.length, window.playground.data.test.length]")
    box = page.locator("#points").bounding_box()
    page.mouse.click(box["x"] + box["width"] * 0.5, box["y"] + box["height"] * 0.25)  # (0, 3)
    page.wait_for_function(f"window.playground.data.train.length === {n0 + 1}")
    page.click("#click-class button:nth-child(2)")  # orange: class -1
    page.keyboard.down("Shift")
    page.mouse.click(box["x"] + box["width"] * 0.75, box["y"] + box["height"] * 0.5)  # test point (3, 0)
    page.keyboard.up("Shift")
    page.wait_for_function(f"window.playground.data.test.length === {m0 + 1}")  # not just any -1 at the end
    assert page.evaluate("window.playground.data.test.slice(-1)[0][2]") == -1
    x, y, label = page.evaluate("window.playground.data.train.slice(-1)[0]")
    assert abs(x) < 0.1 and abs(y - 3) < 0.1 and label == 1
    assert "dataset=custom" in page.url and "points=" not in page.url  # 502 points: too many for a link
    page.evaluate("window.playground.send({type: 'export', what: 'data'})")  # Download works as a file
    train, test = page.evaluate("[window.playground.data.train.length, window.playground.data.test.length]")
    page.click("#clear-points")
    page.wait_for_function("window.playground.data.train.length === 0")
    for _ in range(3):  # a few clicks: small own data lives in the link
        page.mouse.click(box["x"] + box["width"] * 0.3, box["y"] + box["height"] * 0.6)
    page.wait_for_function("window.playground.data.train.length === 3")
    page.wait_for_function("location.hash.includes('points=')")
    own = page.evaluate("window.playground.data.train")
    page.reload()
    page.wait_for_function("window.playground && window.playground.data.train.length === 3")
    assert page.evaluate("window.playground.data.train") == own
    assert train > 250 and test > 250
    page.click("#clear-points")
    page.wait_for_function("window.playground.data.train.length === 0")
    page.wait_for_function("document.getElementById('status-line').textContent.includes('No training points')")


def test_reload_from_url_gives_same_setup(server, page):
    setup = ("#dataset=xor&activation=relu&learningRate=0.1&networkShape=3,3&xTimesY=true&seed=42"
             "&noise=10&optimizer=momentum&learningRate_hide=true")
    open_page(page, server, setup)
    first = page.evaluate("window.playground.frame.weights")
    assert page.input_value("#activation") == "relu" and page.inner_text("#num-layers") == "2"
    assert not page.is_visible("#learningRate")  # hidden by the classroom flag
    url = page.url
    assert "xTimesY=true" in url and "seed=42" in url
    page.reload()
    page.wait_for_function("window.playground && window.playground.frame !== null")
    assert page.url == url
    assert page.evaluate("window.playground.frame.weights") == first  # same seed → same network
    assert page.input_value("#optimizer") == "momentum" and page.is_visible("#momentum")
    assert page.evaluate("window.playground.config.noise") == 10


def test_bad_message_gets_error_and_session_goes_on(server, page):
    open_page(page, server)
    page.evaluate("window.playground.send({type: 'config', config: {networkShape: [1000]}})")
    page.wait_for_selector("#banner.error:not(.hidden)")
    assert "networkShape" in page.inner_text("#banner")
    page.click("#next-step-button")
    page.wait_for_function("window.playground.frame.epoch === 1")


def test_hover_and_edit_a_weight_while_training(server, page):
    open_page(page, server, "#seed=5")
    page.click("#play-pause-button")
    hit = page.locator("#links-svg path.hit").first  # X1 → neuron 1 of hidden layer 1
    box = hit.bounding_box()
    page.mouse.move(box["x"] + box["width"] * 0.5, box["y"] + 2)
    if not page.is_visible("#hovercard"):
        hit.hover(force=True)
    page.wait_for_selector("#hovercard:not(.hidden)")
    assert "Weight from x1 to neuron 1 of hidden layer 1" in page.inner_text("#hovercard")
    hit.click(force=True)
    page.fill("#param-edit", "2.5")
    page.press("#param-edit", "Enter")
    page.click("#play-pause-button")
    page.wait_for_function("Math.abs(window.playground.frame.weights[0][0][0] - 2.5) < 0.2")
    page.hover("#network .node[data-layer='1'][data-neuron='0']")
    page.wait_for_function("!document.getElementById('heatmap-label').classList.contains('hidden')")
    assert page.inner_text("#heatmap-label") == "layer 1, neuron 1"
    page.hover("#loss-chart")
    assert "epoch" in page.inner_text("#chart-tip")


def test_tensorflow_playground_link_works(server, page):
    tf_link = ("#activation=tanh&batchSize=10&dataset=xor&regDataset=reg-plane&learningRate=0.03"
               "&regularizationRate=0&noise=0&networkShape=4,2&seed=0.59704&showTestData=false&discretize=false"
               "&percTrainData=50&x=true&y=true&xTimesY=true&xSquared=false&ySquared=false&sinX=false&sinY=false"
               "&problem=classification&initZero=false&hideText=false")
    open_page(page, server, tf_link)
    cfg = page.evaluate("window.playground.config")
    assert cfg["seed"] == 597040 and cfg["dataset"] == "xor" and cfg["xTimesY"] is True
    assert page.is_hidden("#banner") or "not valid" not in page.inner_text("#banner")
    assert page.evaluate("window.playground.frame.weights[0][0].length") == 3  # X1, X2, X1X2


def test_every_control_once(server, page, tmp_path):
    """A student's tour: every control changes the setup (and the URL) without a JavaScript error."""
    open_page(page, server, "#seed=12")
    for sel, value in [("#learningRate", "0.1"), ("#activation", "sigmoid"), ("#regularization", "L1"),
                       ("#regularizationRate", "0.001"), ("#optimizer", "rmsprop"), ("#alpha", "0.9"),
                       ("#schedule", "exp"), ("#gamma", "0.99"), ("#init", "he"), ("#speed", "5"),
                       ("#loss", "ce")]:
        page.select_option(sel, value)
        key = sel[1:]
        page.wait_for_function(f"String(window.playground.config.{key}) === '{value}'")
        assert f"{key}={value}" in page.url
    for slider, value in [("#noise", "25"), ("#percTrainData", "70"), ("#batchSize", "17")]:
        page.locator(slider).fill(value)
        page.wait_for_function(f"window.playground.config.{slider[1:]} === {value}")
    page.wait_for_function("window.playground.data.train.length === 350")
    for box in ("#showTestData", "#discretize", "#shuffle"):
        page.check(box)
    page.click("#network .node.input[data-feature='sinX']")
    page.wait_for_function("window.playground.frame.weights[0][0].length === 3")
    page.select_option("#network .layer-act >> nth=0", "elu")
    page.check("#network .layer input[type=checkbox] >> nth=1")  # batch norm on layer 2
    page.select_option("#network .layer-dropout >> nth=0", "0.2")
    page.wait_for_function("window.playground.config.dropout[0] === 0.2 && window.playground.config.batchNorm[1]")
    page.locator("#network .neuron-minus").nth(0).click()
    page.wait_for_function("window.playground.frame.weights[0].length === 3")
    seed = page.evaluate("window.playground.config.seed")
    page.click("#regenerate")
    page.wait_for_function(f"window.playground.config.seed !== {seed}")
    page.click("#play-pause-button")
    page.wait_for_function("window.playground.frame.epoch >= 20")
    page.click("#play-pause-button")
    page.click("#pin-run")
    assert not page.is_disabled("#unpin-run")
    page.select_option("#problem", "multiclass")
    page.wait_for_function("window.playground.frame.heat.kind === 'class'")
    page.locator("#nClasses").fill("5")
    page.wait_for_function("window.playground.frame.weights.slice(-1)[0].length === 5")
    page.click("#dataset-picker canvas[data-dataset='blobs']")
    page.wait_for_function("window.playground.config.mcDataset === 'blobs'")
    page.select_option("#problem", "regression")
    page.wait_for_function("window.playground.frame.heat.kind === 'value' && "
                           "window.playground.data.train.length === 840")
    assert page.is_disabled("#loss")
    csv = tmp_path / "mine.csv"
    csv.write_text("x1,x2,label\n" + "\n".join(f"{i / 10 - 2},{1 - i / 20},{(i % 7) / 7}" for i in range(40)))
    page.set_input_files("#csv-file", str(csv))
    page.wait_for_function("window.playground.config.regDataset === 'custom' && "
                           "window.playground.data.test.length === 12")
    with page.expect_download() as dl:
        page.click("#export-script")
    assert dl.value.suggested_filename == "playground_run.py"
    with page.expect_download() as dl:
        page.click("#export-checkpoint")
    assert dl.value.suggested_filename == "playground.crpt"
    with page.expect_download() as dl:
        page.click("#download-data")
    assert dl.value.suggested_filename == "playground_data.csv"
    page.click("#remove-layer")
    page.click("#remove-layer")
    page.wait_for_function("window.playground.frame.weights.length === 1")
    assert page.inner_text("#num-layers") == "0" and page.is_disabled("#remove-layer")
    page.click("#panel-classroom summary")
    page.check("#hide-list input[data-hide='noise']")
    assert page.input_value("#classroom-link").endswith("&noise_hide=true")

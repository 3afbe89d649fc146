"""Links, in headless Chromium: every link opens a working page (B1), sizes the page cannot draw are bounded
(B2), the URL is written at load and TF Playground's hide names hide everything that controls the same thing
(B3)."""

import pytest
from browsing import open_page

pytestmark = pytest.mark.browser


def notices(page):
    return page.evaluate("window.playground.notices")


def test_bad_values_are_named_with_what_is_allowed_and_only_they_fall_back(server, page):
    open_page(page, server, "#networkShape=99,2&dropout=0.95&layerActivations=swish&activation=relu&seed=5"
                            "&learningRate=abc&problem=regresion&x=maybe&bogus=1&noise=20")
    page.wait_for_selector("#notice:not(.hidden)")
    text = " ".join(notices(page))
    for words in ("networkShape=99,2 is not valid", "each a whole number from 1 to 16",
                  "dropout=0.95 is not valid", "each a number from 0 to 0.9",
                  "layerActivations=swish is not valid", "tanh, relu, sigmoid",
                  "learningRate=abc is not valid", "a number above 0, up to 10",
                  "problem=regresion is not valid", "one of classification, regression, multiclass",
                  "x=maybe is not valid: x must be true or false", "bogus=1 is not a setting"):
        assert words in text, words
    cfg = page.evaluate("window.playground.config")
    assert cfg["networkShape"] == [4, 2] and cfg["dropout"] == [] and cfg["layerActivations"] == []
    assert cfg["learningRate"] == 0.03 and cfg["problem"] == "classification" and cfg["x"] is True
    assert cfg["activation"] == "relu" and cfg["seed"] == 5 and cfg["noise"] == 20  # the good ones are kept
    assert "networkShape=4%2C2" in page.url and "bogus" not in page.url and "activation=relu" in page.url
    page.click("#next-step-button")  # a working page
    page.wait_for_function("window.playground.frame.epoch === 1")
    assert page.is_visible("#notice")  # it stays until dismissed
    page.click("#notice-close")
    assert page.is_hidden("#notice")


def test_sizes_the_page_cannot_draw_are_bounded(server, page):
    """B2: 8 layers of 64 froze the tab for over 100 s; the link now falls back and says why. 8 layers of 16,
    the bound, open and train."""
    open_page(page, server, "#networkShape=64,64,64,64,64,64,64,64&seed=1")
    assert "at most 16 neurons per layer at 20 frames per second" in " ".join(notices(page))
    assert page.evaluate("window.playground.config.networkShape") == [4, 2]
    open_page(page, server, "#networkShape=16,16,16,16,16,16,16,16&seed=1")
    assert page.is_hidden("#notice")
    assert page.locator("#links-svg path.link").count() == 2 * 16 + 7 * 16 * 16 + 16
    page.click("#play-pause-button")
    page.wait_for_function("window.playground.frame.epoch >= 3 && window.playground.renders >= 3")
    page.click("#play-pause-button")


def test_the_url_is_written_at_load_and_a_classroom_link_from_a_fresh_page_works(server, page, browser):
    open_page(page, server)
    for key in ("networkShape=4%2C2", "seed=1", "learningRate=0.03", "dataset=circle", "hiddenView=0"):
        assert key in page.url, key
    page.click("#panel-classroom summary")
    page.check("#hide-list input[data-hide='noise']")
    page.check("#hide-list input[data-hide='playButton']")
    link = page.input_value("#classroom-link")
    assert "/#" in link and "&noise_hide=true" in link and "&playButton_hide=true" in link
    student = browser.new_page(viewport={"width": 1400, "height": 1000})
    try:
        open_page(student, link)
        assert student.is_hidden("#noise") and student.is_hidden("#play-pause-button")
        assert student.is_visible("#next-step-button") and student.is_visible("#batchSize")
        assert "noise_hide=true" in student.url  # the hides stay in the student's own link
    finally:
        student.close()


def test_tensorflow_playgrounds_hide_names_hide_everything_that_controls_the_same_thing(server, page):
    open_page(page, server, "#seed=3&playButton_hide=true&numHiddenLayers_hide=true&activation_hide=true"
                            "&dataset_hide=true&learningRate_hide=true")
    assert page.is_hidden("#play-pause-button") and page.is_visible("#reset-button")
    assert page.is_hidden("#add-layers") and page.is_hidden("#remove-layer")
    assert page.locator("#network .neuron-plus").count() == 2
    for sel in ("#network .neuron-plus", "#network .neuron-minus", "#network .layer-act"):
        assert all(not page.locator(sel).nth(i).is_visible() for i in range(2)), sel
    assert page.is_hidden("#activation") and page.is_hidden("#learningRate") and page.is_hidden("#schedule")
    assert page.is_hidden("#dataset-picker") and page.is_hidden("#clear-points") and page.is_hidden("#regenerate")
    assert page.is_hidden("#presets")  # a preset would change what is hidden
    assert page.is_visible("#batchSize") and page.is_visible("#network .layer-dropout >> nth=0")
    n = page.evaluate("window.playground.data.train.length")
    box = page.locator("#points").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)  # no own points either
    page.click("#next-step-button")
    page.wait_for_function("window.playground.frame.epoch === 1")
    assert page.evaluate("window.playground.data.train.length") == n
    for name in ("playButton", "numHiddenLayers", "activation", "dataset", "learningRate"):
        assert f"{name}_hide=true" in page.url


def test_chainrules_own_hide_names(server, page):
    open_page(page, server, "#seed=3&networkShape_hide=true&features_hide=true&optimizer_hide=true")
    assert page.is_hidden("#add-layers") and not page.locator("#network .neuron-plus >> nth=0").is_visible()
    assert page.is_hidden("#optimizer")
    page.click("#network .node.input[data-feature='sinX']")  # features cannot be switched
    page.click("#next-step-button")
    page.wait_for_function("window.playground.frame.epoch === 1")
    assert page.evaluate("window.playground.config.sinX") is False

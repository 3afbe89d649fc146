"""Every classroom preset shows what its note says to look for (same seed, same run for every student)."""

import pytest

from chainrule.playground import presets
from chainrule.playground.protocol import default_config, validate_config


def run(session, name, epochs, **patch):
    r = session(**(presets.config(name) | patch))
    first = r.frame()
    for _ in range(epochs):
        r.s.train_epoch()
    return r, first, r.frame()


def test_presets_are_valid_whole_setups():
    page = presets.for_page()
    assert [p["name"] for p in page] == list(presets.PRESETS)
    for p in page:
        assert validate_config(p["patch"]) == p["patch"] and "seed" in p["patch"] and p["look"]
        assert set(presets.config(p["name"])) == set(default_config())


def test_xor_needs_the_product_feature_or_a_hidden_layer(session):
    _, _, line = run(session, "xor-line", 60)
    _, _, feature = run(session, "xor-feature", 60)
    assert line["testAcc"] < 0.7 and line["trainLoss"] > 0.4
    assert feature["testAcc"] > 0.95 and feature["trainLoss"] < 0.05


def test_bend_shows_the_last_hidden_layers_view_and_separates(session):
    _, first, last = run(session, "bend", 80)
    for f in (first, last):
        assert f["warp"]["dims"] == 2 and f["warp"]["last"] and f["warp"]["back"]["n"] == 48
    assert first["testAcc"] < 0.8 and last["testAcc"] > 0.95


def test_zero_init_keeps_every_hidden_weight_at_zero(session):
    r, _, f = run(session, "zero-init", 30)
    assert all(not lin.weight.numpy().any() for lin in r.s.net.linears)
    assert f["gradNorms"][:2] == [0.0, 0.0] and f["trainLoss"] == pytest.approx(0.5, abs=0.01)


def test_dead_relus_at_a_high_learning_rate(session):
    _, _, f = run(session, "dead-relu", 60)
    assert max(a["dead"] for a in f["act"]) >= 3
    _, _, calm = run(session, "dead-relu", 60, learningRate=0.03)
    assert max(a["dead"] for a in calm["act"]) == 0


def test_saturation_with_large_initial_weights(session):
    _, first, f = run(session, "saturation", 100)
    assert min(a["saturated"] for a in first["act"]) > 0.5
    _, _, moderate = run(session, "saturation", 100, init="tf")
    assert f["trainLoss"] > 0.5 and moderate["trainLoss"] < 0.1


def test_deep_sigmoid_gradients_vanish_and_batch_norm_rescues(session):
    _, first, deep = run(session, "vanishing", 100)
    g = first["gradNorms"]
    assert g[0] < 1e-2 * g[-1]  # the first layer's gradient is orders of magnitude below the output's
    _, _, bn = run(session, "batchnorm", 100)
    assert bn["gradNorms"][0] > 0.1 * bn["gradNorms"][-1]  # once it trains, the gradient reaches layer 1
    assert deep["trainLoss"] > 0.45 and bn["trainLoss"] < 0.5 * deep["trainLoss"]


def test_dropout_keeps_the_test_loss_down_on_a_small_noisy_set(session):
    r, _, f = run(session, "dropout", 300)
    assert len(r.s.train_pts) == 100
    _, _, plain = run(session, "dropout", 300, dropout=[])
    assert plain["trainLoss"] < f["trainLoss"] and f["testLoss"] < plain["testLoss"] - 0.05

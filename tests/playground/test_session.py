"""The session: TF Playground's exact training rule, resets, own data, divergence, frames, bad requests."""

import numpy as np
import pytest

from chainrule.playground import model as M
from chainrule.playground.protocol import ProtocolError


def tf_reference(W, b, X, T, epochs, bs, lr, reg=None, rate=0.0):
    """TensorFlow Playground's nn.ts, point by point in float64: forward, backprop (½(o−t)², tanh
    everywhere), derivatives accumulated per point and applied every ``bs`` points of an epoch as their
    mean (leftovers carry into the next epoch), then the regularisation step with L1 dead links."""
    W = [w.astype(np.float64).copy() for w in W]
    b = [v.astype(np.float64).copy() for v in b]
    dead = [np.zeros_like(w, bool) for w in W]
    accW, accB, count = [np.zeros_like(w) for w in W], [np.zeros_like(v) for v in b], 0
    for _ in range(epochs):
        for i, (x, t) in enumerate(zip(X, T)):
            outs = [x.astype(np.float64)]
            for w, v in zip(W, b):
                outs.append(np.tanh(w @ outs[-1] + v))
            out_der = outs[-1] - t
            for layer in range(len(W) - 1, -1, -1):
                in_der = out_der * (1 - outs[layer + 1] ** 2)
                accB[layer] += in_der
                accW[layer] += np.outer(in_der, outs[layer]) * ~dead[layer]
                out_der = W[layer].T @ in_der
            count += 1
            if (i + 1) % bs == 0:
                for layer in range(len(W)):
                    b[layer] -= lr * accB[layer] / count
                    regul = {"L1": np.sign, "L2": lambda w: w, None: np.zeros_like}[reg](W[layer])
                    w1 = W[layer] - lr * accW[layer] / count
                    w2 = w1 - lr * rate * regul
                    crossed = (reg == "L1") & (w1 * w2 < 0)
                    new = np.where(crossed, 0.0, w2)
                    W[layer] = np.where(dead[layer], W[layer], new)
                    dead[layer] |= crossed
                    accW[layer][:], accB[layer][:] = 0, 0
                count = 0
    return W, b, dead


@pytest.mark.parametrize("bs, reg, rate", [(10, None, 0.0), (30, None, 0.0), (7, "L2", 0.03), (30, "L1", 0.03)])
def test_training_rule_is_tf_playgrounds(session, bs, reg, rate):
    r = session(batchSize=bs, learningRate=0.1, regularization=reg or "none", regularizationRate=rate, seed=5)
    s = r.s
    W = [lin.weight.numpy().copy() for lin in s.net.linears]
    b = [lin.bias.numpy().copy() for lin in s.net.linears]
    X, T = s.train_x, s.train_y[:, 0]
    for _ in range(3):
        s.train_epoch()
    W_ref, b_ref, dead_ref = tf_reference(W, b, X, T, 3, bs, 0.1, reg, rate)
    for lin, w, v, d_ref, d in zip(s.net.linears, W_ref, b_ref, dead_ref, s.net.dead):
        np.testing.assert_allclose(lin.weight.numpy(), w, atol=2e-4)
        np.testing.assert_allclose(lin.bias.numpy(), v, atol=2e-4)
        assert (d == d_ref).all()
    if reg == "L1":
        assert any(d.any() for d in s.net.dead), "expected some dead links under L1"
    # TF's reported loss: mean over the points of ½(o − t)²
    o = X.astype(np.float64)
    for w, v in zip(W_ref, b_ref):
        o = np.tanh(o @ w.T + v)
    assert abs(s.train_loss - np.mean(0.5 * (o[:, 0] - T) ** 2)) < 1e-4


def test_tf_defaults_data_and_init(session):
    s = session().s
    assert len(s.train_pts) == 250 and len(s.test_pts) == 250  # 500 points, 50 % for training
    assert s.net.sizes == [2, 4, 2, 1] and s.net.kind == "tanh"
    w = np.concatenate([lin.weight.numpy().ravel() for lin in s.net.linears])
    assert (np.abs(w) <= 0.5).all() and w.std() > 0.1
    assert all(np.allclose(lin.bias.numpy(), 0.1) for lin in s.net.linears)
    r = session(problem="regression")
    assert len(r.s.train_pts) == 600 and r.s.net.kind == "linear"


def test_circle_learns_and_same_config_same_run(session):
    a, b = session(seed=11), session(seed=11)
    for r in (a, b):
        start = r.s.test_loss
        for _ in range(40):
            r.s.train_epoch()
        assert r.s.test_loss < 0.5 * start
    assert a.s.test_loss == b.s.test_loss  # the URL's setup (seed included) reproduces the run


def test_two_tabs_training_at_once_give_the_runs_each_gives_alone(session):
    """Each tab trains on its own thread: one tab's no_grad evaluation must not stop the other's training
    step from recording its graph (grad mode is per thread, as in torch)."""
    import threading

    import chainrule as cr

    alone = session(seed=4)
    for _ in range(15):
        alone.s.train_epoch()
    tabs, errors = [session(seed=4), session(seed=4)], []

    def play(r):
        try:
            for _ in range(15):
                r.s.train_epoch()
                r.frame()
        except Exception as e:  # noqa: BLE001 — collected and reported below
            errors.append(e)

    threads = [threading.Thread(target=play, args=(r,)) for r in tabs]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors and cr.is_grad_enabled()
    assert [r.s.test_loss for r in tabs] == [alone.s.test_loss] * 2


def test_reset_regenerate_and_changes_without_reset(session):
    r = session(seed=3)
    for _ in range(3):
        r.send({"type": "step"})
    assert r.s.epoch == 3
    w0 = r.s.net.linears[0].weight.numpy().copy()
    r.send({"type": "config", "config": {"learningRate": 0.3, "batchSize": 5, "optimizer": "adam"}})
    assert r.s.epoch == 3 and np.array_equal(w0, r.s.net.linears[0].weight.numpy())
    pts = list(r.s.train_pts)
    r.send({"type": "regenerate"})
    assert r.s.epoch == 3 and r.s.train_pts != pts and r.of("config")[-1]["config"]["seed"] != 3
    assert np.array_equal(w0, r.s.net.linears[0].weight.numpy())  # same network
    r.send({"type": "reset"})
    assert r.s.epoch == 0 and not np.array_equal(w0, r.s.net.linears[0].weight.numpy())
    r.send({"type": "config", "config": {"networkShape": [3]}})
    assert r.s.net.sizes == [2, 3, 1] and r.of("network")[-1]["sizes"] == [2, 3, 1]


@pytest.mark.filterwarnings("ignore::RuntimeWarning")
def test_divergence_is_reported_and_reset_recovers(session):
    r = session(problem="regression", learningRate=10.0, activation="relu", networkShape=[8, 8], seed=2)
    r.send({"type": "set_param", "kind": "weight", "layer": 0, "row": 0, "col": 0, "value": 100.0})
    for _ in range(30):
        r.s.train_epoch()
        if r.s.diverged:
            break
    assert r.s.diverged and r.of("status")[-1]["diverged"]
    frame = r.frame()
    assert frame["trainLoss"] is None  # NaN goes over the wire as null, never as invalid JSON
    r.send({"type": "play"})
    assert not r.s.playing and "diverged" in r.of("error")[-1]["message"]
    r.send({"type": "config", "config": {"learningRate": 0.03}}).send({"type": "reset"})
    assert not r.s.diverged and np.isfinite(r.s.train_loss)


def test_bad_requests_raise_and_session_goes_on(session):
    r = session()
    for bad in ({"type": "set_param", "kind": "weight", "layer": 5, "row": 0, "col": 0, "value": 1.0},
                {"type": "set_param", "kind": "weight", "layer": 0, "row": 7, "col": 0, "value": 1.0},
                {"type": "add_point", "x": 0.0, "y": 0.0, "label": 0.5, "split": "train"},
                {"type": "load_csv", "text": "1,2\n"}):
        with pytest.raises(ProtocolError):
            r.send(bad)
    r.send({"type": "step"})
    assert r.s.epoch == 1


def test_batch_norm_needs_two_points_per_batch(session):
    r = session(batchNorm=[True], batchSize=1)
    with pytest.raises(ProtocolError, match="batch norm needs at least 2 points"):
        r.send({"type": "step"})
    r.send({"type": "config", "config": {"batchSize": 2}}).send({"type": "step"})
    assert r.s.epoch == 1


def test_own_multiclass_points_beyond_the_class_count_are_left_out(session):
    r = session(problem="multiclass", nClasses=4)
    r.send({"type": "clear_points"})
    for k in range(4):
        r.send({"type": "add_point", "x": float(k), "y": 0.0, "label": float(k), "split": "train"})
    r.send({"type": "config", "config": {"nClasses": 3}}).send({"type": "step"})
    assert [p[2] for p in r.s.train_pts] == [0.0, 1.0, 2.0] and r.s.epoch == 1


def test_edit_weight_and_bias(session):
    r = session()
    r.send({"type": "set_param", "kind": "weight", "layer": 1, "row": 1, "col": 3, "value": -2.5})
    r.send({"type": "set_param", "kind": "bias", "layer": 2, "row": 0, "value": 0.75})
    f = r.frame()
    assert f["weights"][1][1][3] == -2.5 and f["biases"][2][0] == 0.75


def test_own_data(session):
    r = session()
    r.send({"type": "add_point", "x": 1.0, "y": 2.0, "label": -1.0, "split": "train"})
    assert r.s.cfg["dataset"] == "custom" and len(r.s.train_pts) == 251
    assert r.of("config")[-1]["config"] == {"dataset": "custom"}
    r.send({"type": "clear_points"})
    assert r.s.train_pts == [] and "No training points" in r.of("status")[-1]["message"]
    r.send({"type": "play"})
    assert not r.s.playing
    r.send({"type": "load_csv", "text": "x1,x2,label\n" + "\n".join(f"{i % 5},{i % 3},{1 if i % 2 else -1}"
                                                                       for i in range(40))})
    assert len(r.s.train_pts) == 20 and len(r.s.test_pts) == 20
    r.send({"type": "step"})
    assert r.s.epoch == 1 and r.of("data")[-1]["train"][0][2] in (-1, 1)
    # the playground's own download (with a split column) loads back exactly
    from chainrule.playground.export import data_csv
    text = data_csv(r.s.train_pts, r.s.test_pts)
    r.send({"type": "load_csv", "text": text})
    assert data_csv(r.s.train_pts, r.s.test_pts) == text


def test_frame_uses_one_grid_forward(session, monkeypatch):
    r = session(networkShape=[5, 3], xSquared=True)
    calls = []
    original = M.Network.forward_taps
    monkeypatch.setattr(M.Network, "forward_taps", lambda self, x: calls.append(x.shape[0]) or original(self, x))
    r.send({"type": "focus", "layer": 1, "neuron": 4})
    f = r.frame()
    assert calls.count(100 * 100) == 1  # heatmap, every thumbnail and the focused neuron: one pass
    assert f["heat"]["n"] == 100 and len(f["heat"]["data"]) == 13336  # 10,000 bytes in base64
    assert [len(t) for t in f["thumbs"]["layers"]] == [2668, 1600, 536]  # 5, 3, 1 neurons × 20×20 bytes
    assert f["focus"]["layer"] == 1 and f["focus"]["neuron"] == 4
    assert len(f["weights"]) == 3 and len(f["weights"][0]) == 5 and len(f["weights"][0][0]) == 3
    assert [a["units"] for a in f["act"]] == [5, 3] and f["act"][0]["saturated"] is not None


def test_multiclass_with_cross_entropy(session):
    r = session(problem="multiclass", mcDataset="blobs", nClasses=4, loss="ce", networkShape=[8],
                optimizer="adam", learningRate=0.03)
    start = r.s.test_loss
    for _ in range(15):
        r.s.train_epoch()
    f = r.frame()
    assert r.s.test_loss < 0.5 * start and f["testAcc"] > 0.8
    assert f["heat"]["kind"] == "class" and r.s.net.sizes[-1] == 4


@pytest.mark.parametrize("patch", [
    {"optimizer": "momentum"}, {"optimizer": "nesterov"}, {"optimizer": "adagrad"}, {"optimizer": "rmsprop"},
    {"optimizer": "adam", "schedule": "cosine"}, {"schedule": "step", "stepSize": 1, "gamma": 0.5},
    {"loss": "ce"}, {"init": "xavier", "activation": "relu"}, {"init": "he", "layerActivations": ["elu", "gelu"]},
    {"layerActivations": ["leakyrelu", "softplus"], "init": "lecun"}, {"layerActivations": ["prelu"]},
    {"batchNorm": [True, False]}, {"dropout": [0.2, 0.0]}, {"shuffle": True}, {"problem": "regression"},
    {"xTimesY": True, "sinX": True, "sinY": True, "xSquared": True, "ySquared": True},
    {"networkShape": []}, {"x": False, "y": False},
])
def test_beyond_options_train(session, patch):
    r = session(**patch, seed=4)
    for _ in range(3):
        r.s.train_epoch()
    assert np.isfinite(r.s.train_loss) and r.s.epoch == 3
    assert r.frame()["epoch"] == 3


def test_zero_init_keeps_symmetry(session):
    r = session(init="zeros", networkShape=[3])
    for _ in range(5):
        r.s.train_epoch()
    w = r.s.net.linears[0].weight.numpy()
    assert np.allclose(w, w[0])  # every hidden neuron stays identical


def test_dropout_runs_repeat_even_when_interleaved(session):
    a, b = session(dropout=[0.3, 0.0], seed=6), session(dropout=[0.3, 0.0], seed=6)
    for _ in range(4):
        a.s.train_epoch()
        b.s.train_epoch()  # the two sessions' masks come from their own streams
    assert a.s.train_loss == b.s.train_loss


def test_panels_show_the_doctors_statistics(session):
    """The gradient and activation panels are chainrule.doctor.layer_stats: one implementation, shared."""
    import chainrule as cr
    from chainrule.doctor import layer_stats

    r = session(networkShape=[6, 4], activation="relu")
    with cr.no_grad():
        r.s.net.linears[0].bias.fill_(-100.0)  # a planted problem: every unit of layer 1 is dead
    f = r.frame()
    stats = layer_stats(r.s.net.model, r.s.train_x, r.s.train_y, r.s.loss_fn)
    assert f["act"][0]["dead"] == 6 and f["act"][1]["dead"] == round(stats[1].frac_dead * 4)
    assert f["gradNorms"] == pytest.approx([s.grad_norm for s in stats])

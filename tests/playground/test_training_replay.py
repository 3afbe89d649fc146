"""The playground's training step is captured and replayed (training.py): N epochs give exactly the weights
and losses of the eager steps, for every kind of setup, and the replay is really used."""

import numpy as np
import pytest

from chainrule.playground import training

EPOCHS = 6
SETUPS = {
    "default (tanh, SGD, TF's rule)": {},
    "relu + Adam": {"activation": "relu", "optimizer": "adam", "learningRate": 0.01},
    "sigmoid + SGD momentum, L2": {"activation": "sigmoid", "optimizer": "momentum", "regularization": "L2",
                                   "regularizationRate": 0.01},
    "L1 (dead links), nesterov": {"optimizer": "nesterov", "regularization": "L1", "regularizationRate": 0.03,
                                  "learningRate": 0.1},
    "lr decay (exp) + rmsprop": {"optimizer": "rmsprop", "schedule": "exp", "gamma": 0.7, "learningRate": 0.01},
    "lr steps + adagrad, shuffled": {"optimizer": "adagrad", "schedule": "step", "stepSize": 2, "shuffle": True},
    "dropout + batch norm, elu": {"activation": "elu", "networkShape": [6, 4], "dropout": [0.3, 0.2],
                                  "batchNorm": [True, False], "optimizer": "adam", "learningRate": 0.01},
    "leftover points carried (batch 7), prelu": {"batchSize": 7, "activation": "prelu"},
    "binary cross-entropy, gelu": {"loss": "ce", "activation": "gelu", "dataset": "xor"},
    "regression, softplus": {"problem": "regression", "activation": "softplus"},
    "multiclass cross-entropy": {"problem": "multiclass", "loss": "ce", "optimizer": "adam",
                                 "learningRate": 0.01},
    "multiclass squared error": {"problem": "multiclass", "loss": "mse", "networkShape": [8]},
}


def run(session, config, replay, monkeypatch, epochs=EPOCHS, between=None):
    monkeypatch.setattr(training, "REPLAY", replay)
    r = session(**config)
    for e in range(epochs):
        if between is not None:
            between(r, e)
        r.send({"type": "step"})
    s = r.s
    weights = [p.detach().numpy().copy() for p in s.net.model.parameters()]
    buffers = [b.numpy().copy() for b in s.net.model.buffers()]
    return s, weights + buffers


def same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))


@pytest.mark.parametrize("name", list(SETUPS))
def test_replayed_epochs_give_the_eager_weights_and_losses_bit_for_bit(session, monkeypatch, name):
    s1, w1 = run(session, SETUPS[name], True, monkeypatch)
    s0, w0 = run(session, SETUPS[name], False, monkeypatch)
    assert same(w1, w0)
    assert (s1.epoch, s1.train_loss, s1.test_loss, s1.train_acc) == (s0.epoch, s0.train_loss, s0.test_loss,
                                                                      s0.train_acc)
    assert [h[1:] for h in s1.history] == [h[1:] for h in s0.history]
    assert s1.stepper.replays > 0 and s0.stepper.replays == 0  # replayed, and the comparison was with eager steps
    if name.startswith("L1"):
        assert any(d.any() for d in s1.net.dead)  # the dead links happened between replayed steps


def test_replay_is_used_for_almost_every_batch(session, monkeypatch):
    # 250 training points in batches of 10: 25 steps an epoch; the very first is eager (the optimizer's warm-up)
    s, _ = run(session, {}, True, monkeypatch, epochs=4)
    assert s.stepper.replays == 4 * 25 - 1
    s, _ = run(session, {"schedule": "exp", "gamma": 0.9}, True, monkeypatch, epochs=4)
    assert s.stepper.replays == 4 * 25 - 1  # a new lr each epoch captures the optimizer step again, still replayed


def test_changes_between_epochs_keep_replay_exact(session, monkeypatch):
    """Settings changed while paused (lr, momentum, batch size, the optimizer itself), a hand-edited weight and
    Regenerate all reach a replayed run exactly as an eager one."""
    def between(r, epoch):
        if epoch == 1:
            r.send({"type": "config", "config": {"learningRate": 0.1, "momentum": 0.5}})
        if epoch == 2:
            r.send({"type": "set_param", "kind": "weight", "layer": 0, "row": 1, "col": 0, "value": 0.75})
            r.send({"type": "set_param", "kind": "bias", "layer": 1, "row": 0, "col": 0, "value": -0.2})
        if epoch == 3:
            r.send({"type": "config", "config": {"batchSize": 16}})
        if epoch == 4:
            r.send({"type": "config", "config": {"optimizer": "adam", "learningRate": 0.01}})
        if epoch == 5:
            r.send({"type": "regenerate"})

    fresh = np.random.default_rng  # Regenerate's new seed is fresh entropy: the same one in both runs here
    monkeypatch.setattr(np.random, "default_rng", lambda *seed: fresh(*(seed or (12345,))))
    config = {"optimizer": "momentum", "activation": "relu"}
    s1, w1 = run(session, config, True, monkeypatch, epochs=8, between=between)
    s0, w0 = run(session, config, False, monkeypatch, epochs=8, between=between)
    assert s1.cfg["seed"] == s0.cfg["seed"] == fresh(12345).integers(0, 1_000_000)
    assert same(w1, w0)
    assert [h[1:] for h in s1.history] == [h[1:] for h in s0.history] and s1.train_loss == s0.train_loss
    assert s1.stepper.replays > 0


def test_a_frame_between_batches_does_not_disturb_the_replay(session, monkeypatch):
    """Frames run the network in eval mode on the grid (taps) between batches: the next replayed batch trains
    in training mode with dropout and batch norm exactly as an eager one."""
    config = {"dropout": [0.5, 0.0], "batchNorm": [True, True], "networkShape": [5, 3]}

    def go(replay):
        monkeypatch.setattr(training, "REPLAY", replay)
        r = session(**config)
        for _ in range(60):
            r.s.step_batch()
            r.frame()
        return r.s, [p.detach().numpy().copy() for p in r.s.net.model.parameters()], r.frame()

    (s1, w1, f1), (s0, w0, f0) = go(True), go(False)
    assert same(w1, w0) and s1.stepper.replays > 0 and s0.stepper.replays == 0
    assert f1["thumbs"] == f0["thumbs"] and f1["epoch"] == f0["epoch"]

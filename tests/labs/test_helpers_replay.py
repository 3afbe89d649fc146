"""The labs' training helpers replay their captured step (``_common.replayed_step``): the same weights and
losses as eager steps, bit for bit, and the replay is really used where it applies."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn, optim
from chainrule.data.datasets import digits_split
from chainrule.labs import _common
from chainrule.nn.mlp import build_mlp
from chainrule.train.replay import ReplayedStep


@pytest.fixture
def steppers(monkeypatch):
    """Every ReplayedStep the helpers make, to count the replayed steps."""
    made = []

    class Recording(ReplayedStep):
        def __init__(self, *args, **kwargs):
            super().__init__(*args, **kwargs)
            made.append(self)

    monkeypatch.setattr(_common, "ReplayedStep", Recording)
    return made


@pytest.fixture(scope="module")
def digits():
    train, _, _ = digits_split()
    return train.X[:500], train.y[:500]


def params(model):
    return [p.detach().numpy().copy() for p in model.parameters()] + [b.numpy().copy() for b in model.buffers()]


def same(a, b):
    return len(a) == len(b) and all(np.array_equal(x, y, equal_nan=True) for x, y in zip(a, b))


MODELS = {
    "relu, SGD momentum": (lambda: build_mlp([64, 32, 10], "relu"),
                           lambda ps: optim.SGD(ps, lr=0.1, momentum=0.9)),
    "tanh, Adam": (lambda: build_mlp([64, 32, 32, 10], "tanh"), lambda ps: optim.Adam(ps, lr=1e-3)),
    "dropout + batch norm, RMSprop": (lambda: build_mlp([64, 32, 10], "relu", batchnorm=True, dropout=0.3),
                                      lambda ps: optim.RMSprop(ps, lr=1e-3)),
    "prelu, Adadelta": (lambda: build_mlp([64, 32, 10], "prelu"), lambda ps: optim.Adadelta(ps)),
}


def tracked(name, replay, digits, monkeypatch, steps=40, **kw):
    monkeypatch.setattr(_common, "REPLAY", replay)
    make_model, make_opt = MODELS[name]
    cr.manual_seed(0)
    model = make_model()
    opt = make_opt(model.parameters())
    tr = _common.train_tracked(model, opt, *digits, steps, 64, np.random.default_rng(0), every=10, **kw)
    return tr, params(model)


@pytest.mark.parametrize("name", list(MODELS))
def test_train_tracked_replays_bit_for_bit(name, digits, monkeypatch, steppers):
    # 500 points in batches of 64: every 8th batch is the smaller last one, eager the first time (a shape seen
    # once is not captured) and replayed from its second time on; the first step is the eager warm-up
    (t1, p1), (t0, p0) = tracked(name, True, digits, monkeypatch), tracked(name, False, digits, monkeypatch)
    assert t1 == t0 and same(p1, p0)
    assert steppers[0].replays == 40 - 1 - 1 and steppers[1].replays == 0


def test_train_tracked_with_a_per_step_scheduler_stays_eager(digits, monkeypatch, steppers):
    def run(replay):
        monkeypatch.setattr(_common, "REPLAY", replay)
        cr.manual_seed(0)
        model = build_mlp([64, 16, 10], "relu")
        opt = optim.SGD(model.parameters(), lr=0.1)
        tr = _common.train_tracked(model, opt, *digits, 20, 64, np.random.default_rng(0), every=0,
                                   scheduler=optim.lr_scheduler.ExponentialLR(opt, 0.9))
        return tr, params(model)

    (t1, p1), (t0, p0) = run(True), run(False)
    assert t1 == t0 and same(p1, p0) and steppers[0].replays == 0


def test_train_epoch_replays_bit_for_bit_with_dropout_and_on_step(digits, monkeypatch, steppers):
    def run(replay):
        monkeypatch.setattr(_common, "REPLAY", replay)
        cr.manual_seed(1)
        model = build_mlp([64, 48, 10], "relu", dropout=0.5)
        opt = optim.SGD(model.parameters(), lr=0.05, momentum=0.9)
        rng, seen, losses, loss_fn = np.random.default_rng(1), [], [], nn.CrossEntropyLoss()
        step = _common.replayed_step(model, loss_fn, opt)  # kept from epoch to epoch
        for _ in range(3):
            losses.append(_common.train_epoch(model, loss_fn, opt, *digits, 32, rng, on_step=seen.append,
                                              step=step))
        # and one epoch with a stepper of its own: its first step is eager (the warm-up), then replayed
        losses.append(_common.train_epoch(model, loss_fn, opt, *digits, 32, rng, on_step=seen.append))
        return losses, seen, params(model)

    (l1, s1, p1), (l0, s0, p0) = run(True), run(False)
    assert l1 == l0 and s1 == s0 and same(p1, p0)
    full = 500 // 32  # a pass: 15 batches of 32, then one of 20 (eager the first time, then captured too)
    assert [s.replays for s in steppers] == [(full - 1) + 2 * (full + 1), full - 1, 0, 0]


def test_fit_full_batch_replays_bit_for_bit(monkeypatch, steppers):
    X = np.random.default_rng(0).standard_normal((200, 2)).astype(np.float32)
    y = (X[:, :1] * X[:, 1:] > 0).astype(np.float32)

    def run(replay):
        monkeypatch.setattr(_common, "REPLAY", replay)
        cr.manual_seed(2)
        model = build_mlp([2, 8, 1], "tanh")
        return _common.fit_full_batch(model, nn.BCEWithLogitsLoss(), optim.Adam(model.parameters(), lr=0.02),
                                      X, y, 50), params(model)

    (l1, p1), (l0, p0) = run(True), run(False)
    assert l1 == l0 and same(p1, p0)
    assert steppers[0].replays == 49 and steppers[1].replays == 0


def test_a_custom_model_or_optimizer_stays_eager(digits, monkeypatch, steppers):
    """The labs' own modules and update rules (a forward or a step with Python-side state) are not replayed."""
    from chainrule.labs.adam_bias import VariantAdam

    class Twice(nn.Module):
        def forward(self, x):
            return 2 * x

    cr.manual_seed(0)
    model = build_mlp([64, 16, 10], "relu")
    _common.train_tracked(model, VariantAdam(model.parameters(), 1e-3, "torch Adam"), *digits, 5, 64,
                          np.random.default_rng(0), every=0)
    custom = nn.Sequential(build_mlp([64, 16, 10], "relu"), Twice())
    _common.train_tracked(custom, optim.SGD(custom.parameters(), lr=0.1), *digits, 5, 64,
                          np.random.default_rng(0), every=0)
    assert [s.disabled for s in steppers] == [True, True] and all(s.replays == 0 for s in steppers)

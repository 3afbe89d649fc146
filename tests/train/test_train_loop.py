"""fit / evaluate / predict: the same numbers as a hand-written loop, every input form, schedulers, errors."""

import io
import math

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn, optim
from chainrule.data import DataLoader, TensorDataset, datasets
from chainrule.train import Callback, DivergenceError, EarlyStopping, ProgressBar, evaluate, fit, predict


@pytest.fixture(scope="module")
def digits():
    return datasets.load("digits")


def mlp(seed=0, dropout=0.2, n_in=64, n_out=10):
    cr.manual_seed(seed)
    return nn.Sequential(nn.Linear(n_in, 32), nn.ReLU(), nn.Dropout(dropout), nn.Linear(32, n_out))


def test_fit_equals_a_hand_written_loop_bit_for_bit(digits):
    """Same seed, same batches, same dropout masks: fit adds bookkeeping, not arithmetic."""
    loss_fn = nn.CrossEntropyLoss()
    ref = mlp()
    opt = optim.Adam(ref.parameters(), lr=1e-3)
    loader = DataLoader(digits.train, batch_size=64, shuffle=True)
    losses = []
    for _ in range(3):
        ref.train()
        total = count = 0
        for x, y in loader:
            out = ref(x)
            loss = loss_fn(out, y)
            opt.zero_grad()
            loss.backward()
            opt.step()
            total += float(loss.data) * len(y)
            count += len(y)
        losses.append(total / count)

    model = mlp()
    h = fit(model, loss_fn, optim.Adam(model.parameters(), lr=1e-3), DataLoader(digits.train, 64, shuffle=True),
            digits.val, epochs=3, metrics=["accuracy"], verbose=False)
    for (k, a), b in zip(ref.state_dict().items(), model.state_dict().values()):
        assert np.array_equal(a.numpy(), b.numpy()), k
    assert h["loss"] == losses
    assert list(h.keys()) == ["loss", "accuracy", "val_loss", "val_accuracy", "lr", "time"]
    assert h.epoch == [1, 2, 3] and h.stop_reason is None
    # val metrics are an eval-mode pass over the validation set after the epoch
    last = evaluate(model, loss_fn, digits.val, metrics=["accuracy"])
    assert h["val_loss"][-1] == last["loss"] and h["val_accuracy"][-1] == last["accuracy"]
    assert model.training  # fit leaves training mode on; evaluate restored it


def test_training_learns_digits(digits):
    model = mlp(dropout=0.0)
    h = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=3e-3), digits.train, digits.val,
            epochs=8, metrics=["accuracy"], batch_size=32, verbose=False)
    assert h["loss"][-1] < h["loss"][0] / 5
    assert h["val_accuracy"][-1] > 0.93


def test_input_forms_give_the_same_training(digits):
    """A Dataset, a pair of arrays and a DataLoader built from them are the same data."""
    X, y = digits.train.tensors
    results = []
    for data in (digits.train, (X.numpy(), y.numpy()), (X, y), DataLoader(TensorDataset(X, y), 32, shuffle=True)):
        model = mlp()
        cr.manual_seed(7)
        fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), data, epochs=2, verbose=False)
        results.append(model[0].weight.numpy().copy())
    for r in results[1:]:
        assert np.array_equal(r, results[0])
    batches = [(X[i:i + 100], y[i:i + 100]) for i in range(0, 300, 100)]  # a list of batches, re-read each epoch
    model = mlp()
    h = fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), batches, epochs=2, verbose=False)
    assert len(h) == 2


def test_bad_inputs_are_refused_with_a_message(digits):
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    X, y = digits.train.tensors
    with pytest.raises(TypeError, match="iterator"):
        fit(model, nn.CrossEntropyLoss(), opt, iter([(X, y)]), epochs=1, verbose=False)
    with pytest.raises(ValueError, match="epochs must be an int"):
        fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=-1, verbose=False)
    with pytest.raises(ValueError, match="gave no batches"):
        fit(model, nn.CrossEntropyLoss(), opt, [], epochs=1, verbose=False)
    with pytest.raises(ValueError, match="monitor='val_loss' is not logged.*need val_data"):
        fit(model, nn.CrossEntropyLoss(), opt, (X, y), epochs=1, verbose=False, callbacks=[EarlyStopping()])


def test_nan_guard_names_epoch_and_batch_and_keeps_the_weights(digits):
    base, calls = nn.CrossEntropyLoss(), [0]

    def loss_fn(out, y):  # the 3rd batch's loss is NaN, as after a too-large step
        calls[0] += 1
        return base(out, y) * (float("nan") if calls[0] == 3 else 1.0)

    model = mlp(dropout=0.0)
    opt = optim.SGD(model.parameters(), lr=0.5)
    loader = DataLoader(digits.train, batch_size=50)
    msg = r"epoch 1, batch 3 of 26.*smaller learning rate \(lr is 0.5; try 0.05\)"
    with pytest.raises(DivergenceError, match=msg) as e:
        fit(model, loss_fn, opt, loader, epochs=2, verbose=False)
    assert (e.value.epoch, e.value.batch) == (1, 3)
    assert all(np.isfinite(p.numpy()).all() for p in model.parameters())  # stopped before the step
    calls[0] = 0
    fit(model, loss_fn, opt, loader, epochs=1, verbose=False, nan_guard=False)  # opt-out: NaN spreads
    assert not np.isfinite(model[0].weight.numpy()).all()


def test_schedulers_step_per_epoch_or_per_batch(digits):
    model = mlp()
    opt = optim.SGD(model.parameters(), lr=0.1)
    h = fit(model, nn.CrossEntropyLoss(), opt, digits.train, epochs=3, verbose=False,
            scheduler=optim.lr_scheduler.StepLR(opt, step_size=1, gamma=0.5))
    assert h["lr"] == [0.1, 0.05, 0.025]
    opt = optim.SGD(model.parameters(), lr=0.1)
    sched = optim.lr_scheduler.ExponentialLR(opt, gamma=0.9)
    fit(model, nn.CrossEntropyLoss(), opt, DataLoader(digits.train, 500), epochs=1, verbose=False, scheduler=sched,
        scheduler_interval="step")
    assert opt.param_groups[0]["lr"] == pytest.approx(0.1 * 0.9 ** 3)  # three batches
    opt = optim.SGD(model.parameters(), lr=0.1)
    plateau = optim.lr_scheduler.ReduceLROnPlateau(opt, patience=0, factor=0.5)
    fit(model, nn.CrossEntropyLoss(), opt, digits.train, digits.val, epochs=1, verbose=False, scheduler=plateau)
    assert plateau.best < math.inf  # it was given the validation loss


def test_early_stopping_restores_the_best_weights(digits):
    X, y = digits.train.tensors
    noise_y = cr.from_numpy(np.random.default_rng(0).integers(0, 10, len(y)))  # random labels: val loss rises
    model = mlp(dropout=0.0)
    es = EarlyStopping("val_loss", patience=2)
    h = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=1e-2), (X, noise_y), digits.val,
            epochs=50, callbacks=[es], verbose=False)
    assert len(h) < 50 and "early stopping" in h.stop_reason
    best_epoch, best = h.best("val_loss")
    assert es.best_epoch == best_epoch and len(h) == best_epoch + 2
    assert evaluate(model, nn.CrossEntropyLoss(), digits.val)["loss"] == best


def test_callback_hooks_are_called_in_order(digits):
    calls = []

    class Rec(Callback):
        def on_train_begin(self, trainer):
            super().on_train_begin(trainer)
            calls.append("begin")

        def on_epoch_begin(self, epoch):
            calls.append(f"e{epoch}")

        def on_after_backward(self, batch, loss):
            calls.append("b")

        def on_batch_end(self, batch, loss):
            calls.append("s")

        def on_epoch_end(self, epoch, logs):
            calls.append(f"/e{epoch}")
            if epoch == 2:
                self.trainer.stop_training = True

        def on_train_end(self, logs):
            calls.append("end")

    model = mlp()
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), DataLoader(digits.train, 700),
        epochs=5, callbacks=[Rec()], verbose=False)
    assert calls == ["begin", "e1", "b", "s", "b", "s", "/e1", "e2", "b", "s", "b", "s", "/e2", "end"]


def test_progress_plain_lines_when_not_a_terminal_and_a_bar_on_one(digits):
    model = mlp()
    buf = io.StringIO()
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), digits.train, digits.val, epochs=3,
        metrics=["accuracy"], callbacks=[ProgressBar(buf)])
    lines = buf.getvalue().splitlines()
    assert len(lines) == 3 and "\r" not in buf.getvalue()
    assert lines[0].startswith("epoch 1/3  loss ") and "val_accuracy" in lines[0] and lines[0].endswith(" s)")

    class Tty(io.StringIO):
        def isatty(self):
            return True

    tty = Tty()
    fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1), digits.train, epochs=2,
        callbacks=[ProgressBar(tty, refresh=1e9)])
    out = tty.getvalue()
    assert "\repoch 1/2 █" in out and out.count("\n") == 2


def test_evaluate_and_predict(digits):
    model = mlp()
    model.train()
    X, y = digits.test.tensors
    out = predict(model, X)
    assert model.training and out.shape == (len(y), 10) and out.grad_fn is None
    model.eval()
    with cr.no_grad():
        np.testing.assert_array_equal(out.numpy(), model(X).numpy())
    # in batches of 100: the same up to float32 rounding (BLAS may sum in another order)
    np.testing.assert_allclose(predict(model, X, batch_size=100).numpy(), out.numpy(), rtol=1e-5, atol=1e-6)
    np.testing.assert_array_equal(predict(model, digits.test).numpy(), out.numpy())
    np.testing.assert_array_equal(predict(model, X.numpy()).numpy(), out.numpy())
    res = evaluate(model, nn.CrossEntropyLoss(), digits.test, metrics=["accuracy"], batch_size=64)
    assert res["loss"] == pytest.approx(float(nn.CrossEntropyLoss()(out, y).data), rel=1e-6)
    assert res["accuracy"] == float(np.mean(out.numpy().argmax(1) == y.numpy()))
    assert set(evaluate(model, None, digits.test, metrics=["accuracy"])) == {"accuracy"}


def test_fit_replays_its_step_bit_for_bit_with_dropout_batchnorm_and_a_schedule(digits):
    def run(replay):
        cr.manual_seed(0)
        model = nn.Sequential(nn.Linear(64, 32), nn.BatchNorm1d(32), nn.ReLU(), nn.Dropout(0.2), nn.Linear(32, 10))
        opt = optim.Adam(model.parameters(), lr=1e-3)
        sched = optim.lr_scheduler.StepLR(opt, 1, 0.5)  # the lr changes: the optimizer step is captured again
        h = fit(model, nn.CrossEntropyLoss(), opt, digits.train, digits.val, epochs=3, batch_size=100,
                metrics=["accuracy"], verbose=False, replay=replay, scheduler=sched)
        return h, [p.detach().numpy().copy() for p in model.parameters()]

    (h1, p1), (h0, p0) = run("auto"), run(False)
    assert h1["loss"] == h0["loss"] and h1["val_loss"] == h0["val_loss"] and h1["accuracy"] == h0["accuracy"]
    assert all(np.array_equal(a, b) for a, b in zip(p1, p0))


def test_the_replayed_step_captures_each_batch_shape_once_and_notices_new_parameter_arrays():
    from chainrule.train.replay import ReplayedStep

    def run(replay, swap_at=None):
        cr.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.Tanh(), nn.Linear(8, 3))
        opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
        step = ReplayedStep(model, nn.CrossEntropyLoss(), opt, disabled=not replay)
        rng = np.random.default_rng(0)
        losses = []
        for i in range(12):
            n = 5 if i % 3 == 2 else 16  # every third batch is smaller, as an epoch's last one
            x = cr.from_numpy(rng.standard_normal((n, 4)).astype(np.float32))
            y = cr.from_numpy(rng.integers(0, 3, n))
            if i == swap_at:  # a new array for a weight (as p.data = ... does): the captures read the old one
                model[0].weight.data = model[0].weight.detach().clone()
            losses.append(step(x, y)[1].item())
        return losses, [p.detach().numpy().copy() for p in model.parameters()], (step, model)

    (l1, p1, (s1, _)), (l0, p0, (s0, _)) = run(True), run(False)
    assert l1 == l0 and all(np.array_equal(a, b) for a, b in zip(p1, p0))
    # eager: the warm-up step and each shape's first sight; every other step replayed (captures included)
    assert s1.replays == 12 - 1 - 1 and s0.replays == 0 and len(s1._captures) == 2
    (l2, p2, (s2, m2)), (l3, p3, _) = run(True, swap_at=7), run(False, swap_at=7)
    assert l2 == l3 and all(np.array_equal(a, b) for a, b in zip(p2, p3))
    assert s2._arrays[0] is m2[0].weight._array and s2.replays == s1.replays  # captured again on the new array

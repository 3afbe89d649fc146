"""The doctor's rules case by case: a planted network for each, and a healthy twin that stays quiet — a zero
output layer (harmless), input scale, train/eval mode, a loss that explodes between the first and last probe
steps, the range test's verdicts — and every finding naming its layer, number, threshold and fix."""

import math

import numpy as np
import pytest

import chainrule as cr
from chainrule import doctor, optim
from chainrule.doctor import DEMOS, planted
from chainrule.doctor.findings import find_problems
from chainrule.doctor.inputs import input_scales
from chainrule.doctor.lr_range import analyse, describe
from chainrule.doctor.report import Report


def codes(report, severity=("error", "warning")):
    return {f.code for f in report.findings if f.severity in severity}


def diagnose(case, **kw):
    model, loss_fn, batch, opt = planted(case)
    return doctor.diagnose(model, loss_fn, batch, opt, **kw)


def test_a_zero_output_layer_is_information_not_an_error():
    report = diagnose("zero-output")
    assert report.healthy, str(report)  # no symmetry / no_gradient / vanishing / update errors
    assert codes(report, ("info",)) == {"output_symmetry", "zero_output"}
    info = report.by_code("zero_output")[0]
    assert info.layer == "4" and info.value > 0 and "after one step the layers below get one" in info.message
    assert "0 at the first step" in str(report)
    # without an optimizer nothing can be measured after a step: still information, never an error
    model, loss_fn, batch, _ = planted("zero-output")
    report = doctor.diagnose(model, loss_fn, batch)
    assert report.healthy and "zero_output" in codes(report, ("info",)), str(report)


def test_a_zero_output_layer_trains_like_the_default():
    losses = {}
    for case in ("zero-output", "healthy"):
        model, loss_fn, (X, y), opt = planted(case)
        x, t = cr.from_numpy(np.asarray(X)), cr.from_numpy(np.asarray(y))
        for _ in range(500):
            opt.zero_grad()
            loss = loss_fn(model(x), t)
            loss.backward()
            opt.step()
        losses[case] = float(loss.item())
    assert losses["zero-output"] < 0.1 and losses["healthy"] < 0.1, losses  # slower to start, then the same


def test_all_zero_weights_are_still_the_symmetry_error():
    report = diagnose("zero-init")
    assert {"symmetry", "no_gradient"} <= codes(report, ("error",))
    assert [f.layer for f in report.by_code("symmetry")] == ["0", "2"]  # hidden layers; the output one is info
    assert "after one training step" in report.by_code("no_gradient")[0].message


def test_input_scale_names_the_feature():
    report = diagnose("input-scale")
    (f,) = report.by_code("input_scale")
    assert f.severity == "warning" and f.layer == "0"
    assert "feature 5 (RMS" in f.message and f.value > 100 and "10× the median RMS" in f.threshold
    assert "Standardise each input feature" in f.fix
    initial = report.by_code("initial_loss")[0]
    assert "input scale" in initial.message and initial.fix.startswith("Standardise the inputs first")
    assert not report.by_code("update_large")  # the last layer's weights are not blamed


def test_input_scale_healthy_twins_stay_quiet():
    model, loss_fn, (X, y), _ = planted("input-scale")
    report = doctor.diagnose(model, loss_fn, (np.asarray(X) / np.maximum(1, np.abs(X).max(0)), y),
                             optim.Adam(model.parameters(), lr=1e-3))
    assert not report.by_code("input_scale"), str(report)
    assert not diagnose("healthy").by_code("input_scale")


def test_input_scale_of_unstandardised_data_and_images():
    model, loss_fn, (X, y), opt = planted("healthy")
    report = doctor.diagnose(model, loss_fn, (np.asarray(X) * 255, y), opt)
    (f,) = report.by_code("input_scale")
    assert "not standardised: the median feature RMS is" in f.message and f.value > 10
    images = np.random.default_rng(0).normal(size=(8, 3, 4, 4))
    images[:, 2] *= 500
    scales = input_scales(images)
    assert scales["axis"] == "channel" and len(scales["rms"]) == 3 and scales["rms"][2] > 100
    assert input_scales(np.arange(8).reshape(4, 2)) is None  # integer inputs (token ids) have no scale


def test_eval_mode_during_training_is_found_and_its_twin_is_quiet():
    model, loss_fn, batch, opt = planted("eval-mode")
    report = doctor.diagnose(model, loss_fn, batch, opt)
    found = report.by_code("eval_mode_in_training")
    assert [f.layer for f in found] == ["1", "3"] and all(f.severity == "warning" for f in found)
    assert "BatchNorm1d" in found[0].message and "running statistics" in found[0].message
    assert "Dropout, p = 0.3" in found[1].message and found[1].value == 4
    assert "model.train()" in found[0].fix
    assert not model.training  # the doctor leaves the mode alone
    model.train()
    assert not doctor.diagnose(model, loss_fn, batch, opt).by_code("eval_mode_in_training")


def test_watch_modes_sees_eval_in_training_and_train_at_evaluation():
    model, loss_fn, (X, y), opt = planted("eval-mode")
    x, t = cr.from_numpy(np.asarray(X)), cr.from_numpy(np.asarray(y))

    def train_step():
        opt.zero_grad()
        loss_fn(model(x), t).backward()
        opt.step()

    def evaluate():
        with cr.no_grad():
            model(x)

    with doctor.watch_modes(model) as watch:  # the bug: eval() for validation, never train() again
        model.eval()
        evaluate()
        train_step()
        train_step()
    (bn, drop) = watch.findings()
    assert (bn.code, bn.layer, bn.value) == ("eval_mode_in_training", "1", 2)
    assert drop.layer == "3" and "drops nothing" in drop.message
    with doctor.watch_modes(model) as watch:  # the other bug: evaluating in training mode
        model.train()
        train_step()
        evaluate()
    found = watch.findings()
    assert {f.code for f in found} == {"train_mode_at_evaluation"} and {f.layer for f in found} == {"1", "3"}
    assert "model.eval()" in found[0].fix and "overwrote its running statistics" in found[0].message
    with doctor.watch_modes(model) as watch:  # the healthy twin: train(), step, eval(), evaluate
        model.train()
        train_step()
        model.eval()
        evaluate()
    assert watch.findings() == []
    model(x)  # the hooks are gone after the block
    assert len(watch.calls) == 4


def test_a_loss_that_explodes_between_the_first_and_last_probe_steps():
    report = diagnose("overshoot")
    (f,) = report.by_code("exploding_loss")
    p = report.probe_losses
    assert f.severity == "error" and p[-1] < 1.5 * p[0] + 0.05 < max(p)  # the old first-vs-last rule missed it
    assert "came back to" in f.message and f.value == pytest.approx(max(p) / p[0])
    model, loss_fn, batch, _ = planted("overshoot")  # the twin: the same network at a sane rate
    quiet = doctor.diagnose(model, loss_fn, batch, optim.SGD(model.parameters(), lr=0.05))
    assert not quiet.by_code("exploding_loss"), str(quiet)


def test_every_probe_step_counts():
    """The issue's numbers: 6.5 → 1.9e4 → 1.8e8 → 9.6e12 → 1.39 (the old rule compared 6.5 with 1.39)."""
    report = Report(layers=[], loss=6.5, expected_loss=None, probe_losses=[6.5, 1.9e4, 1.8e8, 9.6e12, 1.39])
    (f,) = [f for f in find_problems(report) if f.code == "exploding_loss"]
    assert "rose from 6.5 to 9.6e+12 after 3 of the 4 probe steps, then came back to 1.39" in f.message
    assert f.threshold == "a loss above 1.5× the first + 0.05 = 9.8 at any probe step"
    report.probe_losses = [6.5, 5.0, float("nan")]
    (f,) = [f for f in find_problems(report) if f.code == "exploding_loss"]
    assert "NaN/Inf after 2 of the 2 probe steps" in f.message
    report.probe_losses = [6.5, 6.0, 5.5, 5.0, 4.8]
    assert not [f for f in find_problems(report) if f.code == "exploding_loss"]


@pytest.mark.parametrize("case", sorted(DEMOS))
def test_every_finding_names_layer_number_threshold_and_fix(case):
    report = diagnose(case)
    network_wide = {"exploding_loss"}  # the loss belongs to the whole network
    for f in report.findings:
        assert f.fix and f.threshold and f.message, f
        assert f.value is not None, f
        assert f.layer is not None or f.code in network_wide, f
        assert f.threshold in str(report)
    assert report.healthy == (case in ("healthy", "zero-output")), str(report)


def test_range_test_verdicts_on_shaped_curves():
    rng = np.random.default_rng(0)
    lrs = list(np.geomspace(1e-5, 10, 100))

    def curve(level, noise):
        raw = level + noise * rng.normal(size=len(level))
        smooth, avg = [], 0.0
        for k, v in enumerate(raw):
            avg = 0.9 * avg + 0.1 * v
            smooth.append(avg / (1 - 0.9 ** (k + 1)))
        return raw, smooth

    raw, smooth = curve(np.full(100, 0.1), 0.002)
    flat = analyse(lrs, raw, smooth, 100)
    assert flat["verdict"] == "flat" and flat["suggested_lr"] is None and flat["confidence"] == "none"
    raw, smooth = curve(np.full(100, 0.1), 0.2)
    assert analyse(lrs, raw, smooth, 100)["verdict"] == "noisy"
    fall = np.concatenate([np.full(50, 2.3), np.linspace(2.3, 0.5, 40), np.linspace(0.5, 5, 10)])
    raw, smooth = curve(fall, 0.02)
    good = analyse(lrs, raw, smooth, 100)
    assert good["verdict"] == "suggested" and good["confidence"] == "high" and 1e-2 < good["suggested_lr"] < 1
    raw, smooth = curve(np.geomspace(2.3, 50, 25), 0.02)
    assert analyse(lrs[:25], raw, smooth, 100)["verdict"] == "rising"
    assert "no suggestion: the curve is flat" in describe({**flat, "lrs": lrs})
    assert "confidence high" in describe({**good, "lrs": lrs})


def test_range_test_on_a_trained_model_does_not_suggest_from_noise():
    model, loss_fn, (X, y), opt = planted("healthy")
    from chainrule.data.datasets import digits_split

    train, _, _ = digits_split()
    rng = np.random.default_rng(0)
    for _ in range(20):
        for idx in np.array_split(rng.permutation(len(train.X)), len(train.X) // 64):
            opt.zero_grad()
            loss_fn(model(cr.from_numpy(train.X[idx])), cr.from_numpy(train.y[idx])).backward()
            opt.step()
    res = doctor.lr_range_test(model, loss_fn, opt, train.X, train.y, steps=100)
    assert res["suggested_lr"] is None and res["verdict"] in ("flat", "noisy"), describe(res)
    assert res["z"] < 3 and math.isfinite(res["se"])
    model, loss_fn, (X, y), opt = planted("healthy")
    fresh = doctor.lr_range_test(model, loss_fn, opt, X, y, steps=60)
    assert fresh["verdict"] == "suggested" and fresh["confidence"] in ("high", "medium")

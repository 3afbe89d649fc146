"""Learning-rate schedules: the same learning-rate sequence as torch.optim.lr_scheduler, epoch by epoch,
for two parameter groups with different base rates; state_dict round trips; the wrong-order warning."""

from __future__ import annotations

import math
import warnings

import pytest
import torch

import chainrule as cr
import chainrule.optim as optim
from chainrule.nn import Parameter
from chainrule.optim import lr_scheduler as ls

EPOCHS = 40


def two_group_opts(lrs=(0.1, 0.03)):
    c = optim.SGD([{"params": [Parameter(cr.zeros(1))], "lr": lrs[0]},
                   {"params": [Parameter(cr.zeros(1))], "lr": lrs[1]}], lr=0.5, momentum=0.9)
    t = torch.optim.SGD([{"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lrs[0]},
                         {"params": [torch.nn.Parameter(torch.zeros(1))], "lr": lrs[1]}], lr=0.5, momentum=0.9)
    return c, t


def scaled(epoch):
    return 0.95**epoch


# (name, builder(lib_scheduler_module, optimizer) -> scheduler)
SCHEDULES = [
    ("StepLR", lambda m, o: m.StepLR(o, step_size=7, gamma=0.5)),
    ("MultiStepLR", lambda m, o: m.MultiStepLR(o, milestones=[5, 12, 12, 30], gamma=0.3)),
    ("ExponentialLR", lambda m, o: m.ExponentialLR(o, gamma=0.9)),
    ("CosineAnnealingLR", lambda m, o: m.CosineAnnealingLR(o, T_max=15)),
    ("CosineAnnealingLR-eta_min", lambda m, o: m.CosineAnnealingLR(o, T_max=10, eta_min=0.01)),
    ("LinearLR", lambda m, o: m.LinearLR(o, start_factor=0.1, total_iters=8)),
    ("LinearLR-decay", lambda m, o: m.LinearLR(o, start_factor=1.0, end_factor=0.2, total_iters=25)),
    ("ConstantLR", lambda m, o: m.ConstantLR(o, factor=0.5, total_iters=4)),
    ("LambdaLR", lambda m, o: m.LambdaLR(o, lr_lambda=scaled)),
    ("LambdaLR-per-group", lambda m, o: m.LambdaLR(o, lr_lambda=[scaled, lambda e: 1 / (1 + e)])),
    ("SequentialLR-warmup-cosine", lambda m, o: m.SequentialLR(
        o, [m.LinearLR(o, start_factor=0.01, total_iters=5), m.CosineAnnealingLR(o, T_max=30)], milestones=[5])),
    ("SequentialLR-three", lambda m, o: m.SequentialLR(
        o, [m.ConstantLR(o, factor=0.1, total_iters=3), m.ExponentialLR(o, gamma=0.8),
            m.StepLR(o, step_size=4, gamma=0.5)], milestones=[6, 15])),
]


def lr_sequence(lib, build, epochs=EPOCHS):
    c, t = two_group_opts()
    opt, mod = (c, ls) if lib == "cr" else (t, torch.optim.lr_scheduler)
    sched = build(mod, opt)
    seq = [list(sched.get_last_lr())]
    for _ in range(epochs):
        opt.step()
        sched.step()
        seq.append(list(sched.get_last_lr()))
        assert seq[-1] == [g["lr"] for g in opt.param_groups]
    return seq


@pytest.mark.parametrize("name, build", SCHEDULES, ids=[n for n, _ in SCHEDULES])
def test_lr_sequence_matches_torch(name, build):
    ours, theirs = lr_sequence("cr", build), lr_sequence("torch", build)
    for epoch, (a, b) in enumerate(zip(ours, theirs)):
        assert a == pytest.approx(b, rel=1e-12, abs=1e-15), f"epoch {epoch}"


def test_cosine_closed_form():
    seq = lr_sequence("cr", lambda m, o: m.CosineAnnealingLR(o, T_max=20, eta_min=0.001), epochs=20)
    for epoch, lrs in enumerate(seq):
        expected = 0.001 + (0.1 - 0.001) * (1 + math.cos(math.pi * epoch / 20)) / 2
        assert lrs[0] == pytest.approx(expected, rel=1e-12)


METRICS = [1.0, 0.9, 0.8, 0.8, 0.8, 0.81, 0.8, 0.79, 0.79, 0.79, 0.79, 0.79, 0.5, 0.5, 0.5, 0.5, 0.5, 0.5,
           0.5, 0.5, 0.49995, 0.5, 0.5]


@pytest.mark.parametrize("kwargs", [
    {"patience": 2}, {"patience": 1, "cooldown": 2, "factor": 0.5}, {"patience": 0, "min_lr": [0.02, 0.001]},
    {"mode": "max", "patience": 1}, {"threshold_mode": "abs", "threshold": 0.05, "patience": 1},
    {"mode": "max", "threshold_mode": "abs", "threshold": 0.01, "patience": 0, "factor": 0.7},
])
def test_reduce_on_plateau_matches_torch(kwargs):
    c, t = two_group_opts()
    sc, st = ls.ReduceLROnPlateau(c, **kwargs), torch.optim.lr_scheduler.ReduceLROnPlateau(t, **kwargs)
    assert sc.get_last_lr() == st.get_last_lr()
    for m in METRICS:
        sc.step(m)
        st.step(torch.tensor(m, dtype=torch.float64))
        assert sc.get_last_lr() == pytest.approx(st.get_last_lr(), rel=1e-12)
        assert (sc.num_bad_epochs, sc.cooldown_counter, sc.best) == (st.num_bad_epochs, st.cooldown_counter, st.best)
    sc.step(cr.tensor(0.1))  # a 0-d tensor is a metric too


@pytest.mark.parametrize("name, build", SCHEDULES, ids=[n for n, _ in SCHEDULES])
def test_state_dict_resume(name, build, tmp_path):
    straight = lr_sequence("cr", build)
    c, _ = two_group_opts()
    sched = build(ls, c)
    for _ in range(13):
        c.step()
        sched.step()
    assert "optimizer" not in sched.state_dict()
    cr.save({"optim": c.state_dict(), "sched": sched.state_dict()}, tmp_path / "ckpt.crt")  # no pickle needed
    ckpt = cr.load(tmp_path / "ckpt.crt")
    opt_sd, sched_sd = ckpt["optim"], ckpt["sched"]
    c2, _ = two_group_opts()
    sched2 = build(ls, c2)
    c2.load_state_dict(opt_sd)
    sched2.load_state_dict(sched_sd)
    resumed = [list(sched2.get_last_lr())]
    for _ in range(EPOCHS - 13):
        c2.step()
        sched2.step()
        resumed.append(list(sched2.get_last_lr()))
    assert resumed == straight[13:]


def test_reduce_on_plateau_state_dict(tmp_path):
    c, _ = two_group_opts()
    s = ls.ReduceLROnPlateau(c, patience=1, mode="max")
    for m in METRICS[:8]:
        s.step(m)
    c2, _ = two_group_opts()
    s2 = ls.ReduceLROnPlateau(c2)
    cr.save({"optim": c.state_dict(), "sched": s.state_dict()}, tmp_path / "ckpt.crt")  # best = ±inf too
    ckpt = cr.load(tmp_path / "ckpt.crt")
    s2.load_state_dict(ckpt["sched"])
    c2.load_state_dict(ckpt["optim"])
    for m in METRICS[8:]:
        s.step(m)
        s2.step(m)
        assert s.get_last_lr() == s2.get_last_lr()
    assert s2.mode == "max"


def test_scheduler_before_optimizer_warns_like_torch():
    c, t = two_group_opts()
    sched = ls.StepLR(c, step_size=2)
    with pytest.warns(UserWarning, match="before `optimizer.step\\(\\)`"):
        sched.step()
    c, _ = two_group_opts()
    sched = ls.StepLR(c, step_size=2)
    c.step()
    assert "step" not in c.__dict__  # the order check removed itself from the optimizer's hot path
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        sched.step()


def test_errors():
    c, _ = two_group_opts()
    with pytest.raises(TypeError, match="is not an Optimizer"):
        ls.StepLR(object(), step_size=3)
    with pytest.raises(ValueError, match="Starting multiplicative factor"):
        ls.LinearLR(c, start_factor=0)
    with pytest.raises(ValueError, match="Factor should be < 1.0"):
        ls.ReduceLROnPlateau(c, factor=1.0)
    with pytest.raises(ValueError, match="mode must be 'min' .* got 'avg'"):
        ls.ReduceLROnPlateau(c, mode="avg")
    with pytest.raises(ValueError, match="step_size must be a positive int"):
        ls.StepLR(c, step_size=0)
    with pytest.raises(ValueError, match="T_max must be a positive"):
        ls.CosineAnnealingLR(c, T_max=0)
    with pytest.raises(ValueError, match="Expected 2 lr_lambdas, but got 1"):
        ls.LambdaLR(c, [scaled])
    with pytest.raises(ValueError, match="one more than the number of milestone"):
        ls.SequentialLR(c, [ls.ConstantLR(c), ls.ExponentialLR(c, 0.9)], milestones=[])
    with pytest.raises(KeyError, match="initial_lr"):
        ls.StepLR(two_group_opts()[0], step_size=3, last_epoch=4)

"""Optimizers driving chainrule.nn modules: a 2-8-8-1 nn.Sequential trained side by side with the same
torch.nn model (with a schedule and gradient clipping in the loop), and a checkpoint of model + optimizer +
scheduler that resumes the run bit-identically."""

from __future__ import annotations

import numpy as np
import pytest
import torch

import chainrule as cr
import chainrule.nn as nn
import chainrule.optim as optim

STEPS = 30
CONFIGS = [
    ("SGD", {"lr": 0.1, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}),
    ("Adagrad", {"lr": 0.1}),
    ("Adadelta", {"lr": 1.0, "weight_decay": 1e-3}),
    ("RMSprop", {"lr": 0.01, "centered": True, "momentum": 0.5}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("AdamW", {"lr": 0.01}),
]


def data():
    rng = np.random.default_rng(3)
    x = rng.standard_normal((32, 2))
    return x, np.tanh(x[:, :1] * x[:, 1:]) + 0.1 * x[:, :1]


def models():
    torch.manual_seed(0)
    tm = torch.nn.Sequential(torch.nn.Linear(2, 8), torch.nn.Tanh(), torch.nn.Linear(8, 8), torch.nn.Tanh(),
                             torch.nn.Linear(8, 1)).double()
    cm = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 8), nn.Tanh(), nn.Linear(8, 1)).double()
    cm.load_state_dict({k: cr.tensor(v.detach().numpy().copy()) for k, v in tm.state_dict().items()})
    return cm, tm


def train(lib, model, opt, sched, steps, clip=None):
    x, y = data()
    if lib == "cr":
        x, y, loss_fn, clip_fn = cr.tensor(x), cr.tensor(y), nn.MSELoss(), nn.utils.clip_grad_norm_
    else:
        x, y, loss_fn, clip_fn = torch.tensor(x), torch.tensor(y), torch.nn.MSELoss(), torch.nn.utils.clip_grad_norm_
    losses = []
    for _ in range(steps):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        if clip is not None:
            clip_fn(model.parameters(), clip)
        opt.step()
        if sched is not None:
            sched.step()
        losses.append(loss.item())
    return losses


def weights(model):
    return [np.array(p.detach().numpy()) for p in model.parameters()]


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=[n for n, _ in CONFIGS])
def test_nn_model_trains_like_torch(name, kwargs):
    cm, tm = models()
    copt = getattr(optim, name)(cm.named_parameters(), **kwargs)
    topt = getattr(torch.optim, name)(tm.named_parameters(), **kwargs)
    csched = optim.lr_scheduler.CosineAnnealingLR(copt, T_max=STEPS)
    tsched = torch.optim.lr_scheduler.CosineAnnealingLR(topt, T_max=STEPS)
    lc = train("cr", cm, copt, csched, STEPS, clip=0.5)
    lt = train("torch", tm, topt, tsched, STEPS, clip=0.5)
    np.testing.assert_allclose(lc, lt, rtol=1e-8, atol=1e-10)
    for a, b in zip(weights(cm), weights(tm)):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-8)
    assert lc[-1] < lc[0]
    assert copt.state_dict()["param_groups"][0]["param_names"] == [n for n, _ in tm.named_parameters()]


def checkpoint_roundtrip(obj, tmp_path):
    """Through a checkpoint file: chainrule.save, then chainrule.load."""
    path = tmp_path / "ckpt.crt"
    cr.save(obj, path)
    return cr.load(path)


@pytest.mark.parametrize("name, kwargs", CONFIGS, ids=[n for n, _ in CONFIGS])
def test_checkpoint_resume_is_bit_identical(name, kwargs, tmp_path):
    def fresh():
        model, _ = models()
        opt = getattr(optim, name)(model.parameters(), **kwargs)
        warmup = optim.lr_scheduler.LinearLR(opt, start_factor=0.1, total_iters=5)
        sched = optim.lr_scheduler.SequentialLR(
            opt, [warmup, optim.lr_scheduler.StepLR(opt, step_size=7, gamma=0.5)], milestones=[5])
        return model, opt, sched

    model, opt, sched = fresh()
    straight = train("cr", model, opt, sched, STEPS)
    final = weights(model)

    model, opt, sched = fresh()
    first = train("cr", model, opt, sched, 12)
    ckpt = checkpoint_roundtrip({"model": model.state_dict(), "optim": opt.state_dict(),
                                 "sched": sched.state_dict()}, tmp_path)
    model, opt, sched = fresh()
    model.load_state_dict(ckpt["model"])
    opt.load_state_dict(ckpt["optim"])
    sched.load_state_dict(ckpt["sched"])
    rest = train("cr", model, opt, sched, STEPS - 12)
    assert first + rest == straight
    for a, b in zip(weights(model), final):
        np.testing.assert_array_equal(a, b)

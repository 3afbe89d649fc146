"""Optimizer state_dict()/load_state_dict(): torch's layout, a resumed run continues bit-identically,
torch's own state dicts load, and a mismatched checkpoint is refused with a clear error."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from _optim_mlp import Run, initial_arrays

import chainrule as cr
import chainrule.optim as optim
from chainrule.nn import Parameter

# options that make every optimizer create all of its state entries
FULL = [
    ("SGD", {"lr": 0.05, "momentum": 0.9, "nesterov": True, "weight_decay": 1e-3}),
    ("Adagrad", {"lr": 0.1, "lr_decay": 0.01}),
    ("Adadelta", {"lr": 1.0}),
    ("RMSprop", {"lr": 0.01, "momentum": 0.5, "centered": True}),
    ("Adam", {"lr": 0.01, "amsgrad": True}),
    ("AdamW", {"lr": 0.01, "amsgrad": True}),
]
GROUPS = [{"lr": 0.02}, {}]
TORCH_ONLY = {"foreach", "fused", "differentiable", "capturable"}


def roundtrip(obj, tmp_path):
    """Through a checkpoint file: chainrule.save, then chainrule.load."""
    path = tmp_path / "ckpt.crt"
    cr.save(obj, path)
    return cr.load(path)


@pytest.mark.parametrize("name, kwargs", FULL, ids=[n for n, _ in FULL])
def test_layout_matches_torch(name, kwargs):
    c, t = Run("cr", name, kwargs, GROUPS), Run("torch", name, kwargs, GROUPS)
    for _ in range(3):
        c.step(), t.step()
    sc, st = c.opt.state_dict(), t.opt.state_dict()
    assert list(sc) == ["state", "param_groups"]
    assert sorted(sc["state"]) == sorted(st["state"])
    # parameter 6 never has a gradient: no state, except in Adagrad, which creates it at construction
    assert (6 in sc["state"]) == (name == "Adagrad")
    for i in st["state"]:
        assert list(sc["state"][i]) == list(st["state"][i])
        for k, v in st["state"][i].items():
            assert isinstance(sc["state"][i][k], cr.Tensor)
            assert sc["state"][i][k].shape == tuple(v.shape)
    for gc, gt in zip(sc["param_groups"], st["param_groups"]):
        assert gc == {k: v for k, v in gt.items() if k not in TORCH_ONLY}
    assert [g["params"] for g in sc["param_groups"]] == [[0, 1], [2, 3, 4, 5, 6]]


@pytest.mark.parametrize("name, kwargs", FULL, ids=[n for n, _ in FULL])
def test_resumed_run_is_bit_identical(name, kwargs, tmp_path):
    straight = Run("cr", name, kwargs, GROUPS)
    for _ in range(30):
        straight.step()

    first = Run("cr", name, kwargs, GROUPS)
    for _ in range(15):
        first.step()
    ckpt = roundtrip({"params": [p.numpy().copy() for p in first.params],
                      "optim": first.opt.state_dict()}, tmp_path)
    _, x, y = initial_arrays()
    resumed = Run("cr", name, kwargs, GROUPS, arrays=([np.asarray(a) for a in ckpt["params"]], x, y))
    resumed.opt.load_state_dict(ckpt["optim"])
    for _ in range(15):
        resumed.step()
    for a, b in zip(resumed.arrays(), straight.arrays()):
        np.testing.assert_array_equal(a, b)


@pytest.mark.parametrize("name, kwargs", FULL, ids=[n for n, _ in FULL])
def test_loads_a_torch_state_dict(name, kwargs):
    t = Run("torch", name, kwargs, GROUPS)
    for _ in range(10):
        t.step()
    _, x, y = initial_arrays()
    c = Run("cr", name, kwargs, GROUPS, arrays=(t.arrays(), x, y))
    c.opt.load_state_dict(t.opt.state_dict())
    for _ in range(20):
        c.step(), t.step()
    for a, b in zip(c.arrays(), t.arrays()):
        np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-8)


def test_state_dict_is_a_snapshot():
    c = Run("cr", "Adam", {"lr": 0.01})
    c.step()
    sd = c.opt.state_dict()
    before = sd["state"][0]["exp_avg"].numpy().copy()
    sd["param_groups"][0]["lr"] = 123.0
    c.step()
    np.testing.assert_array_equal(sd["state"][0]["exp_avg"].numpy(), before)
    assert c.opt.param_groups[0]["lr"] == 0.01


def test_load_restores_hyperparameters_and_keeps_own_params():
    p = Parameter(cr.zeros(2))
    src = optim.SGD([p], lr=0.5, momentum=0.9)
    dst = optim.SGD([Parameter(cr.zeros(2))], lr=0.1)
    own = dst.param_groups[0]["params"]
    dst.load_state_dict(src.state_dict())
    assert dst.param_groups[0]["lr"] == 0.5 and dst.param_groups[0]["momentum"] == 0.9
    assert dst.param_groups[0]["params"] is own


def test_mismatched_checkpoints_are_refused():
    a, b = Parameter(cr.ones(2, 3)), Parameter(cr.ones(3))
    opt = optim.Adam([a, b], lr=0.1)
    (a.sum() + b.sum()).backward()
    opt.step()
    sd = opt.state_dict()
    with pytest.raises(ValueError, match="different number of parameter groups"):
        optim.Adam([{"params": [a]}, {"params": [b]}]).load_state_dict(sd)
    with pytest.raises(ValueError, match="doesn't match the size"):
        optim.Adam([a]).load_state_dict(sd)
    with pytest.raises(ValueError, match=r"'exp_avg' has shape \(2, 3\), expected \(4,\)"):
        optim.Adam([Parameter(cr.ones(4)), b]).load_state_dict(sd)
    with pytest.raises(ValueError, match="'state' and 'param_groups'"):
        opt.load_state_dict({"state": {}})
    bad = opt.state_dict()
    bad["param_groups"][0]["lr"] = -1.0
    with pytest.raises(ValueError, match="Invalid learning rate: -1.0"):
        opt.load_state_dict(bad)


def test_adagrad_state_exists_from_construction_like_torch():
    opt = optim.Adagrad([Parameter(cr.zeros(2))], initial_accumulator_value=0.5)
    topt = torch.optim.Adagrad([torch.nn.Parameter(torch.zeros(2))], initial_accumulator_value=0.5)
    sd, tsd = opt.state_dict(), topt.state_dict()
    assert list(sd["state"][0]) == list(tsd["state"][0]) == ["step", "sum"]
    np.testing.assert_array_equal(sd["state"][0]["sum"].numpy(), tsd["state"][0]["sum"].numpy())

"""Every optimizer, under every combination of its options, follows torch.optim's trajectory on a small
float64 MLP: the parameters after each of 30 steps, and the final state, agree within 1e-8."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
import torch
from _optim_mlp import Run, state_arrays

import chainrule as cr
import chainrule.optim as optim
from chainrule.nn import Parameter

STEPS = 30


def combos(base, **options):
    """base kwargs × every combination of the listed option values."""
    names = list(options)
    for values in itertools.product(*(options[n] for n in names)):
        yield {**base, **dict(zip(names, values))}


def _sgd_ok(kw):
    return not kw["nesterov"] or (kw["momentum"] > 0 and kw["dampening"] == 0)


CASES = (
    [("SGD", kw) for kw in combos({"lr": 0.05}, momentum=[0, 0.9], dampening=[0, 0.2], weight_decay=[0, 0.01],
                                  nesterov=[False, True], maximize=[False, True]) if _sgd_ok(kw)]
    + [("Adagrad", kw) for kw in combos({"lr": 0.1}, lr_decay=[0, 0.05], weight_decay=[0, 0.01],
                                        initial_accumulator_value=[0, 0.1], maximize=[False, True])]
    + [("Adadelta", kw) for kw in combos({"lr": 1.0}, rho=[0.9, 0.5], weight_decay=[0, 0.01],
                                         maximize=[False, True])]
    + [("RMSprop", kw) for kw in combos({"lr": 0.01}, momentum=[0, 0.9], centered=[False, True],
                                        weight_decay=[0, 0.01], maximize=[False, True])]
    + [("Adam", kw) for kw in combos({"lr": 0.02}, betas=[(0.9, 0.999), (0.3, 0.9)], weight_decay=[0, 0.05],
                                     amsgrad=[False, True], maximize=[False, True],
                                     decoupled_weight_decay=[False, True])]
    + [("AdamW", kw) for kw in combos({"lr": 0.02}, weight_decay=[0, 0.1], amsgrad=[False, True],
                                      maximize=[False, True])]
)


def _id(case):
    name, kw = case
    return name + "(" + ",".join(f"{k}={v}" for k, v in kw.items() if k != "lr") + ")"


def assert_same_run(name, kwargs, group_kwargs=None, steps=STEPS):
    c = Run("cr", name, kwargs, group_kwargs)
    t = Run("torch", name, kwargs, group_kwargs)
    for step in range(steps):
        lc, lt = c.step(), t.step()
        assert abs(lc - lt) <= 1e-8 * max(1.0, abs(lt)), f"loss at step {step}: {lc} != torch {lt}"
        for i, (a, b) in enumerate(zip(c.arrays(), t.arrays())):
            np.testing.assert_allclose(a, b, rtol=1e-8, atol=1e-8, err_msg=f"parameter {i} after step {step + 1}")
    sc, st = state_arrays(c.opt, "cr"), state_arrays(t.opt, "torch")
    assert sc.keys() == st.keys()
    for i in st:
        assert sc[i].keys() == st[i].keys(), f"state names of parameter {i}"
        for k in st[i]:
            np.testing.assert_allclose(sc[i][k], st[i][k], rtol=1e-8, atol=1e-8, err_msg=f"state {i}.{k}")
    return c, t


@pytest.mark.parametrize("case", CASES, ids=_id)
def test_trajectory_matches_torch(case):
    name, kwargs = case
    c, _ = assert_same_run(name, kwargs)
    assert c.params[-1].grad is None  # the unused parameter was skipped, as torch skips it


@pytest.mark.parametrize("name, defaults, groups", [
    ("SGD", {"lr": 0.05}, [{"lr": 0.1, "momentum": 0.9, "nesterov": True}, {"weight_decay": 0.01}]),
    ("Adagrad", {"lr": 0.1}, [{"lr_decay": 0.1}, {"lr": 0.05, "eps": 1e-3}]),
    ("Adadelta", {}, [{"rho": 0.5}, {"lr": 0.5, "weight_decay": 0.1}]),
    ("RMSprop", {"lr": 0.01}, [{"centered": True, "momentum": 0.5}, {"alpha": 0.9, "lr": 0.003}]),
    ("Adam", {"lr": 0.01}, [{"betas": (0.5, 0.9), "amsgrad": True}, {"lr": 0.03, "weight_decay": 0.1}]),
    ("AdamW", {"lr": 0.01}, [{"weight_decay": 0.5}, {"lr": 0.03, "maximize": True}]),
])
def test_param_groups_with_different_hyperparameters(name, defaults, groups):
    c, _ = assert_same_run(name, defaults, groups)
    assert [g["lr"] for g in c.opt.param_groups] == [g.get("lr", defaults.get("lr", 1.0)) for g in groups]


def test_defaults_match_torch():
    p = [Parameter(cr.zeros(2))]
    tp = [torch.nn.Parameter(torch.zeros(2))]
    torch_only = {"foreach", "fused", "differentiable", "capturable"}
    for name in ["SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW"]:
        ours = getattr(optim, name)(p).defaults
        theirs = {k: v for k, v in getattr(torch.optim, name)(tp).defaults.items() if k not in torch_only}
        assert ours == theirs, name


BAD = [
    ("SGD", {"lr": -1}), ("SGD", {"lr": 0.1, "momentum": -0.5}), ("SGD", {"lr": 0.1, "weight_decay": -1e-3}),
    ("SGD", {"lr": 0.1, "nesterov": True}), ("SGD", {"lr": 0.1, "momentum": 0.9, "dampening": 0.1, "nesterov": True}),
    ("Adagrad", {"lr": -0.01}), ("Adagrad", {"lr_decay": -1}), ("Adagrad", {"weight_decay": -1}),
    ("Adagrad", {"initial_accumulator_value": -1}), ("Adagrad", {"eps": -1}),
    ("Adadelta", {"lr": -1.0}), ("Adadelta", {"rho": 1.5}), ("Adadelta", {"eps": -1}),
    ("Adadelta", {"weight_decay": -1}),
    ("RMSprop", {"lr": -1}), ("RMSprop", {"eps": -1}), ("RMSprop", {"momentum": -1}),
    ("RMSprop", {"weight_decay": -1}), ("RMSprop", {"alpha": -1}),
    ("Adam", {"lr": -1}), ("Adam", {"eps": -1}), ("Adam", {"betas": (1.0, 0.999)}),
    ("Adam", {"betas": (0.9, -0.1)}), ("Adam", {"weight_decay": -1}),
    ("AdamW", {"lr": -1e-3}), ("AdamW", {"betas": (0.9, 1.0)}),
]


@pytest.mark.parametrize("name, kwargs", BAD, ids=[f"{n}{kw}" for n, kw in BAD])
def test_invalid_hyperparameters_raise_torchs_error(name, kwargs):
    with pytest.raises(ValueError) as theirs:
        getattr(torch.optim, name)([torch.nn.Parameter(torch.zeros(2))], **kwargs)
    with pytest.raises(ValueError) as ours:
        getattr(optim, name)([Parameter(cr.zeros(2))], **kwargs)
    assert str(ours.value) == str(theirs.value)


def test_invalid_group_hyperparameter_is_caught_too():
    with pytest.raises(ValueError, match="Invalid learning rate: -0.5"):
        optim.SGD([{"params": [Parameter(cr.zeros(2))], "lr": -0.5}], lr=0.1)


def test_bad_params_arguments():
    p = Parameter(cr.zeros(2))
    with pytest.raises(TypeError, match="iterable of Tensors"):
        optim.SGD(p, lr=0.1)
    with pytest.raises(ValueError, match="empty parameter list"):
        optim.SGD([], lr=0.1)
    with pytest.raises(TypeError, match="sets"):
        optim.SGD([{"params": {p}}], lr=0.1)
    with pytest.raises(TypeError, match="parameter 1 is str"):
        optim.SGD([p, "w"], lr=0.1)
    with pytest.raises(ValueError, match="non-leaf"):
        optim.SGD([p * 2], lr=0.1)
    with pytest.raises(TypeError, match=r"got a Linear module as params; pass its parameters: SGD\(model.parameters"):
        optim.SGD(cr.nn.Linear(2, 2), lr=0.1)  # the classic slip
    with pytest.raises(TypeError, match="lr must be a number, got the string '0.1'"):
        optim.Adam([p], lr="0.1")
    with pytest.raises(ValueError, match="betas must be a pair"):
        optim.Adam([p], betas=0.9)
    with pytest.raises(ValueError, match="more than one parameter group"):
        optim.SGD([{"params": [p]}, {"params": [p]}], lr=0.1)


def test_add_param_group_and_named_parameters():
    a, b = Parameter(cr.ones(2)), Parameter(cr.ones(3))
    opt = optim.Adam([("a", a)], lr=0.1)
    opt.add_param_group({"params": [("b", b)], "lr": 0.5})
    assert [g["param_names"] for g in opt.param_groups] == [["a"], ["b"]]
    assert opt.param_groups[1]["betas"] == (0.9, 0.999)
    (a.sum() + b.sum()).backward()
    opt.step()
    np.testing.assert_allclose(a.numpy(), 0.9, rtol=1e-6)  # Adam's first step is lr·sign(g)
    np.testing.assert_allclose(b.numpy(), 0.5, rtol=1e-6)
    ada = optim.Adagrad([a], lr=0.1)
    ada.add_param_group({"params": [b]})  # state for a late parameter is created at its first step
    (a.sum() + b.sum()).backward()
    ada.step()
    assert float(ada.state[b]["step"]) == 1.0


def test_zero_grad_and_closure():
    p = Parameter(cr.tensor([1.0, -2.0]))
    opt = optim.SGD([p], lr=0.5)

    def closure():
        opt.zero_grad()
        loss = (p * p).sum()
        loss.backward()
        return loss

    loss = opt.step(closure)
    assert loss.item() == 5.0
    np.testing.assert_array_equal(p.numpy(), [0.0, 0.0])  # θ - 0.5 · 2θ
    g = p.grad
    opt.zero_grad(set_to_none=False)
    assert p.grad is g and not p.grad.numpy().any()
    opt.zero_grad()
    assert p.grad is None


def test_step_never_modifies_the_gradient():
    for cls, kw in [(optim.SGD, {"momentum": 0.9, "weight_decay": 0.1, "maximize": True}),
                    (optim.Adam, {"weight_decay": 0.1, "maximize": True}), (optim.RMSprop, {"centered": True})]:
        p = Parameter(cr.tensor([1.0, -2.0]))
        (p * p).sum().backward()
        before = p.grad.numpy().copy()
        opt = cls([p], lr=0.1, **kw)
        opt.step()
        opt.step()
        np.testing.assert_array_equal(p.grad.numpy(), before)


def test_float32_parameters_stay_float32():
    for name in ["SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW"]:
        p = Parameter(cr.randn(4))
        opt = getattr(optim, name)([p], lr=0.1)
        (p * p).sum().backward()
        opt.step()
        assert p.dtype == cr.float32
        assert all(v.dtype == cr.float32 for v in opt.state[p].values())


def test_repr():
    opt = optim.SGD([Parameter(cr.zeros(1))], lr=0.1, momentum=0.9)
    assert "Parameter Group 0" in repr(opt) and "momentum: 0.9" in repr(opt)


@pytest.mark.parametrize("name", ["SGD", "Adagrad", "Adadelta", "RMSprop", "Adam", "AdamW"])
def test_a_parameter_on_read_only_memory_gets_its_own_copy_and_steps(name):
    # (data read from a file can be read-only; the update kernels write in place)
    model = cr.nn.Linear(3, 2)
    before = model.weight.detach().numpy().copy()
    frozen = before.copy()
    frozen.flags.writeable = False
    model.weight.data = cr.from_numpy(frozen)
    opt = getattr(optim, name)(model.parameters(), lr=0.1)
    cr.nn.MSELoss()(model(cr.ones(4, 3)), cr.zeros(4, 2)).backward()
    opt.step()
    after = model.weight.detach().numpy()
    assert after.flags.writeable and not np.array_equal(after, before)
    np.testing.assert_array_equal(frozen, before)  # the read-only memory itself is untouched

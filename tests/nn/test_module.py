"""Module semantics against torch.nn.Module: registration, traversal, modes, state_dict keys and loading."""

import copy
from collections import OrderedDict

import numpy as np
import pytest
import torch
import torch.nn as tnn

import chainrule as cr
import chainrule.nn as nn


def make_pair():
    """The same architecture in both libraries: nesting, a container, batch norm, dropout."""

    def build(lib):
        class Net(lib.Module):
            def __init__(self):
                super().__init__()
                self.body = lib.Sequential(lib.Linear(3, 5), lib.BatchNorm1d(5), lib.Tanh(), lib.Dropout(0.1))
                self.heads = lib.ModuleList([lib.Linear(5, 2), lib.Linear(5, 1, bias=False)])
                self.scale = lib.Parameter(torch.ones(1) if lib is tnn else cr.ones(1))
                self.register_buffer("offset", torch.zeros(2) if lib is tnn else cr.zeros(2))

            def forward(self, x):
                h = self.body(x)
                return self.heads[0](h) * self.scale + self.offset + self.heads[1](h)

        return Net()

    return build(nn), build(tnn)


def test_state_dict_keys_and_traversal_match_torch():
    c, t = make_pair()
    assert list(c.state_dict()) == list(t.state_dict())
    assert [n for n, _ in c.named_parameters()] == [n for n, _ in t.named_parameters()]
    assert [n for n, _ in c.named_buffers()] == [n for n, _ in t.named_buffers()]
    assert [n for n, _ in c.named_modules()] == [n for n, _ in t.named_modules()]
    assert [type(m).__name__ for m in c.children()] == [type(m).__name__ for m in t.children()]
    assert repr(c) == repr(t)
    assert c.state_dict()["body.1.num_batches_tracked"].dtype == cr.int64


def test_torch_weights_load_and_give_the_same_outputs_and_back():
    c, t = make_pair()
    t.double()
    with torch.no_grad():
        for p in t.parameters():
            p.normal_()
        t.body[1].running_mean.normal_()
        t.body[1].running_var.uniform_(0.5, 2)
    c.to(cr.float64)
    c.load_state_dict({k: v.numpy() for k, v in t.state_dict().items()})
    c.eval()
    t.eval()
    x = np.random.default_rng(0).standard_normal((4, 3))
    np.testing.assert_allclose(c(cr.tensor(x)).numpy(), t(torch.tensor(x)).detach().numpy(), rtol=1e-12)
    # and back: chainrule's state (trained a step here) into a fresh torch model
    c.train()
    loss = (c(cr.tensor(x)) ** 2).mean()
    loss.backward()
    with cr.no_grad():
        for p in c.parameters():
            p -= 0.1 * p.grad
    t2 = make_pair()[1].double()
    t2.load_state_dict({k: torch.from_numpy(v.numpy().copy()) for k, v in c.state_dict().items()})
    c.eval()
    t2.eval()
    np.testing.assert_allclose(c(cr.tensor(x)).numpy(), t2(torch.tensor(x)).detach().numpy(), rtol=1e-12)


def test_load_state_dict_reports_every_problem_together():
    c, _ = make_pair()
    sd = {k: v.numpy() for k, v in c.state_dict().items()}
    del sd["body.0.bias"]
    sd["body.0.weight"] = np.zeros((5, 4))
    sd["extra.weight"] = np.zeros((2, 2))
    before = c.heads[0].weight.numpy().copy()
    sd["heads.0.weight"] = np.ones((2, 5))
    with pytest.raises(RuntimeError) as e:
        c.load_state_dict(sd)
    msg = str(e.value)
    assert '"body.0.bias" (5,)' in msg and '"extra.weight" (2, 2)' in msg
    assert "body.0.weight" in msg and "(5, 4)" in msg and "(5, 3)" in msg
    np.testing.assert_array_equal(c.heads[0].weight.numpy(), before)  # nothing half-loaded
    del sd["body.0.weight"]
    res = c.load_state_dict({k: v for k, v in sd.items() if k != "extra.weight"}, strict=False)
    assert res.missing_keys == ["body.0.weight", "body.0.bias"] and res.unexpected_keys == []
    np.testing.assert_array_equal(c.heads[0].weight.numpy(), 1)


def test_load_state_dict_keeps_parameter_objects_and_casts():
    lin = nn.Linear(2, 2)
    w = lin.weight
    lin.load_state_dict({"weight": cr.ones(2, 2, dtype=cr.float64), "bias": np.zeros(2)})
    assert lin.weight is w and w.dtype == cr.float32 and (w.numpy() == 1).all()


def test_assign_array_into_parameter_copies_in_place():
    lin = nn.Linear(2, 3)
    w = lin.weight
    lin.weight = np.arange(6.0).reshape(3, 2)
    assert lin.weight is w and lin.weight.numpy()[2, 1] == 5
    lin.bias = cr.zeros(3)
    assert isinstance(lin.bias, nn.Parameter) and (lin.bias.numpy() == 0).all()
    with pytest.raises(ValueError, match=r"shape \(2, 2\).*\(3, 2\).*nn.Parameter"):
        lin.weight = np.zeros((2, 2))
    lin.weight = nn.Parameter(cr.zeros(1, 2))  # a new Parameter replaces (any shape)
    assert lin.weight.shape == (1, 2) and lin._parameters["weight"] is lin.weight
    lin.bias = None
    assert "bias" not in lin.state_dict()


def test_buffers_from_numpy_and_non_persistent():
    m = nn.Module()
    m.register_buffer("a", np.arange(3.0))
    m.register_buffer("b", cr.ones(2), persistent=False)
    assert isinstance(m.a, cr.Tensor) and m.a.dtype == cr.float64
    assert list(m.state_dict()) == ["a"] and len(list(m.buffers())) == 2
    m.a = np.zeros(4)
    assert m.a.shape == (4,) and m._buffers["a"] is m.a
    with pytest.raises(KeyError, match="already exists"):
        m.register_buffer("train", cr.zeros(1))


def test_modes_zero_grad_apply_to():
    c, _ = make_pair()
    assert all(m.training for m in c.modules())
    c.eval()
    assert not any(m.training for m in c.modules())
    c.train()
    out = c(cr.randn(4, 3)).sum()
    out.backward()
    assert all(p.grad is not None for p in c.parameters())
    c.zero_grad(set_to_none=False)
    assert all((p.grad.numpy() == 0).all() for p in c.parameters())
    c.zero_grad()
    assert all(p.grad is None for p in c.parameters())
    seen = []
    c.apply(lambda m: seen.append(type(m).__name__))
    t = make_pair()[1]
    tseen = []
    t.apply(lambda m: tseen.append(type(m).__name__))
    assert seen == tseen
    c.to(cr.float64)
    assert all(p.dtype == cr.float64 for p in c.parameters())
    assert c.body[1].num_batches_tracked.dtype == cr.int64
    c.float()
    assert all(p.dtype == cr.float32 for p in c.parameters())
    assert c.half().body[0].weight.dtype == cr.float16 and c.type(cr.float32).body[0].weight.dtype == cr.float32
    with pytest.raises(RuntimeError, match="no CUDA GPU is available"):
        c.cuda()


def test_shared_parameters_listed_once_and_deepcopy():
    lin = nn.Linear(2, 2)
    seq = nn.Sequential(lin, nn.ReLU(), lin)
    assert len(list(seq.parameters())) == 2
    assert list(seq.state_dict()) == list(tnn.Sequential(*[tnn.Linear(2, 2)] * 1, tnn.ReLU(), tnn.Linear(2, 2))
                                          .state_dict())[:2] + ["2.weight", "2.bias"]
    twin = copy.deepcopy(seq)
    assert twin[0] is twin[2] and twin[0].weight is not lin.weight
    np.testing.assert_array_equal(twin[0].weight.numpy(), lin.weight.numpy())


def test_custom_module_errors():
    class Bad(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(cr.zeros(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Bad()
    with pytest.raises(NotImplementedError, match="forward"):
        nn.Module()(1)
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        _ = nn.Linear(1, 1).nope
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(nn.ReLU)
    with pytest.raises(RuntimeError, match="only floating point tensors can require gradients, got dtype int64"):
        nn.Parameter(cr.tensor([1, 2]))
    assert nn.Parameter(cr.tensor([1, 2]), requires_grad=False).dtype == cr.int64


def test_sequential_and_containers():
    seq = nn.Sequential(nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1))
    assert len(seq) == 3 and isinstance(seq[-1], nn.Linear)
    tail = seq[1:]
    assert isinstance(tail, nn.Sequential) and list(tail.state_dict()) == ["2.weight", "2.bias"]
    seq.append(nn.Sigmoid())
    assert list(seq._modules) == ["0", "1", "2", "3"]
    del seq[1]
    assert list(seq._modules) == ["0", "1", "2"] and isinstance(seq[1], nn.Linear)
    assert seq(cr.randn(4, 2)).shape == (4, 1)
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.Tanh())]))
    assert list(named.state_dict()) == ["fc.weight", "fc.bias"] and named.fc is named[0]
    ml = nn.ModuleList([nn.Linear(1, 1)])
    ml.append(nn.Linear(1, 2))
    ml += [nn.Linear(2, 2)]
    assert len(ml) == 3 and list(ml.state_dict())[-1] == "2.bias"
    md = nn.ModuleDict({"a": nn.Linear(1, 1), "b": nn.Tanh()})
    assert list(md) == ["a", "b"] and "a" in md and list(md.state_dict()) == ["a.weight", "a.bias"]
    with pytest.raises(KeyError, match="already exists"):
        nn.ModuleDict({"train": nn.Tanh()})
    reps = (nn.ModuleList([nn.Linear(2, 2), nn.Linear(2, 2), nn.Tanh(), nn.Linear(2, 2)]),
            tnn.ModuleList([tnn.Linear(2, 2), tnn.Linear(2, 2), tnn.Tanh(), tnn.Linear(2, 2)]))
    assert repr(reps[0]) == repr(reps[1]) and repr(nn.ModuleList()) == repr(tnn.ModuleList())
    for c, t in ((seq, tnn.Sequential(tnn.Linear(2, 3), tnn.Linear(3, 1), tnn.Sigmoid())), (md, tnn.ModuleDict(
            {"a": tnn.Linear(1, 1), "b": tnn.Tanh()}))):
        assert repr(c) == repr(t)

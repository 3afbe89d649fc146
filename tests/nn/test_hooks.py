"""Module hooks against torch: order on a Sequential, what they receive, replacing values, removal."""

import numpy as np
import pytest
import torch
import torch.nn as tnn
from nn_oracle import torch_to_chainrule

import chainrule as cr
import chainrule.nn as nn


def pair():
    t = tnn.Sequential(tnn.Linear(3, 4), tnn.Tanh(), tnn.Linear(4, 2)).double()
    c = torch_to_chainrule(t, nn.Sequential(nn.Linear(3, 4), nn.Tanh(), nn.Linear(4, 2)).to(cr.float64))
    return c, t


def _arr(x):
    if x is None:
        return None
    return x.detach().numpy() if isinstance(x, torch.Tensor) else x.numpy()


def instrument(model, log, names):
    handles = []
    for name, m in [("seq", model)] + [(str(i), m) for i, m in enumerate(model)]:
        names[id(m)] = name
        handles.append(m.register_forward_pre_hook(lambda mod, args: log.append(("pre", names[id(mod)]))))
        handles.append(m.register_forward_hook(
            lambda mod, args, out: log.append(("fwd", names[id(mod)], tuple(out.shape)))))
        handles.append(m.register_full_backward_hook(lambda mod, gin, gout: log.append(
            ("bwd", names[id(mod)], tuple(_arr(g) is None or tuple(g.shape) for g in gin), [_arr(g) for g in gin],
             [_arr(g) for g in gout]))))
    return handles


def _same_log(cl, tl):
    assert [e[:3] for e in cl] == [e[:3] for e in tl]
    for ce, te in zip(cl, tl):
        if ce[0] == "bwd":
            for a, b in zip(ce[3] + ce[4], te[3] + te[4]):
                assert (a is None) == (b is None)
                if a is not None:
                    np.testing.assert_allclose(a, b, rtol=1e-10, atol=1e-12)


@pytest.mark.filterwarnings("ignore:Full backward hook is firing")
@pytest.mark.parametrize("input_requires_grad", [True, False])
def test_hook_order_and_arguments_match_torch(input_requires_grad):
    c, t = pair()
    x = np.random.default_rng(0).standard_normal((5, 3))
    logs = []
    for model, lib in ((c, cr), (t, torch)):
        log, names = [], {}
        instrument(model, log, names)
        xi = lib.tensor(x, requires_grad=input_requires_grad)
        model(xi).sum().backward()
        logs.append(log)
    _same_log(*logs)
    kinds = [e[0] + e[1] for e in logs[0]]
    assert kinds[:2] == ["preseq", "pre0"] and "fwdseq" in kinds
    if input_requires_grad:
        assert kinds[-1] == "bwdseq"  # the container's input gradient is known last
    else:
        assert kinds.index("bwdseq") < kinds.index("bwd2")  # fired from the output side, grad_input None


def test_hooks_can_replace_args_output_and_grad_input():
    c, t = pair()
    x = np.random.default_rng(1).standard_normal((4, 3))
    results = []
    for model, lib in ((c, cr), (t, torch)):
        model[0].register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
        model[1].register_forward_hook(lambda mod, args, out: out + 1)
        model[2].register_full_backward_hook(lambda mod, gin, gout: (gin[0] * 3,))
        xi = lib.tensor(x, requires_grad=True)
        y = model(xi)
        (y ** 2).sum().backward()
        results.append([_arr(y), _arr(xi.grad)] + [_arr(p.grad) for p in model.parameters()])
    for a, b in zip(*results):
        np.testing.assert_allclose(a, b, rtol=1e-10)


def test_backward_pre_hook_replaces_grad_output():
    c, t = pair()
    x = np.random.default_rng(2).standard_normal((4, 3))
    grads = []
    for model, lib in ((c, cr), (t, torch)):
        model[2].register_full_backward_pre_hook(lambda mod, gout: (gout[0] * -1,))
        model(lib.tensor(x)).sum().backward()
        grads.append(_arr(model[0].weight.grad))
    np.testing.assert_allclose(*grads, rtol=1e-10)


def test_remove_and_fast_path_flag():
    lin = nn.Linear(2, 2)
    calls = []
    h1 = lin.register_forward_hook(lambda m, a, o: calls.append("f"))
    h2 = lin.register_full_backward_hook(lambda m, gi, go: calls.append("b"))
    with lin.register_forward_pre_hook(lambda m, a: calls.append("p")):
        lin(cr.randn(3, 2, requires_grad=True)).sum().backward()
    assert calls == ["p", "f", "b"]
    h1.remove()
    h2.remove()
    h2.remove()  # removing twice is harmless
    assert not lin._hooks_on
    lin(cr.randn(3, 2, requires_grad=True)).sum().backward()
    assert calls == ["p", "f", "b"]


def test_with_kwargs_prepend_and_no_grad():
    lin = nn.Linear(2, 2)
    order = []
    lin.register_forward_hook(lambda m, a, o: order.append(1))
    lin.register_forward_hook(lambda m, a, o: order.append(0), prepend=True)
    lin.register_forward_pre_hook(lambda m, args, kwargs: ((args[0] * 0,), kwargs), with_kwargs=True)
    lin.register_full_backward_hook(lambda m, gi, go: order.append("never under no_grad"))
    with cr.no_grad():
        y = lin(cr.ones(1, 2))
    assert order == [0, 1]
    np.testing.assert_allclose(y.numpy(), lin.bias.numpy()[None])


def test_bad_backward_hook_return_is_reported():
    lin = nn.Linear(2, 2)
    lin.register_full_backward_hook(lambda m, gi, go: (gi[0], gi[0]))
    with pytest.raises(RuntimeError, match="invalid number of grad_input, got 2, but expected 1"):
        lin(cr.randn(3, 2, requires_grad=True)).sum().backward()

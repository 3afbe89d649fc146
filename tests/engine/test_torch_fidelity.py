"""What course programs print, as torch prints it: division rounded as torch's, grad_fn names of the
composites (losses, mean, sub, linear, ...), strict mm/mv/dot shapes, the old Variable -- each against torch."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import chainrule as cr
import chainrule.nn.functional as F
from oracle import check_op


def test_division_is_a_primitive_checked_against_torch_and_by_gradcheck():
    check_op([(3, 4), (4,)], lambda x, y: x / y, positive=True)
    check_op([(3, 4)], lambda x: x / 3.0)
    check_op([(3, 4), (3, 1)], lambda x, y: cr.div(x, y), lambda x, y: torch.div(x, y), positive=True)


@pytest.mark.parametrize("divisor", [3, 7.0, 0.3, "tensor"])
def test_float32_quotients_round_as_torchs(divisor):
    x = np.random.default_rng(1).standard_normal(200).astype(np.float32)
    c, t = cr.tensor(x), torch.tensor(x)
    cd, td = (cr.tensor(x[::-1].copy()), torch.tensor(x[::-1].copy())) if divisor == "tensor" else (divisor, divisor)
    np.testing.assert_array_equal((c / cd).numpy(), (t / td).numpy())
    np.testing.assert_array_equal((2.5 / c).numpy(), (2.5 / t).numpy())


def test_integer_quotients_are_float32_as_torchs():
    a, ta = cr.tensor([3100, 7, 1]), torch.tensor([3100, 7, 1])
    for c, t in [(a / 297, ta / 297), (100 * a.sum() / 297, 100 * ta.sum() / 297), (a / a, ta / ta),
                 (1 / a, 1 / ta), (a / 2.0, ta / 2.0), (cr.tensor([True]) / 2, torch.tensor([True]) / 2)]:
        assert str(c.dtype).split(".")[1] == str(t.dtype).split(".")[1]
        np.testing.assert_array_equal(c.numpy(), t.numpy())
    assert f"{100 * a[:1].sum() / 297}" == f"{100 * ta[:1].sum() / 297}"  # the accuracy line of a tutorial


def test_mean_divides_as_torchs():
    x = np.random.default_rng(2).standard_normal((6, 7)).astype(np.float32)
    for dim in (None, 0, 1):
        c = cr.tensor(x).mean() if dim is None else cr.tensor(x).mean(dim)
        t = torch.tensor(x).mean() if dim is None else torch.tensor(x).mean(dim)
        np.testing.assert_allclose(c.numpy(), t.numpy(), rtol=1e-6, atol=1e-7)  # sums may add in another order
    assert cr.tensor([0.25, 0.5, 1.0]).mean().item() == torch.tensor([0.25, 0.5, 1.0]).mean().item()


_X = np.random.default_rng(3).standard_normal((4, 3)).astype(np.float32)
_Y = np.random.default_rng(4).standard_normal((4, 3)).astype(np.float32)
_P = np.random.default_rng(5).uniform(0.1, 0.9, (4, 3)).astype(np.float32)
_GRAD_FN_CASES = {
    "mean": lambda m, F, x, y, p: x.mean(), "mean_dim": lambda m, F, x, y, p: x.mean(dim=1),
    "sum_dim": lambda m, F, x, y, p: x.sum(1), "sub": lambda m, F, x, y, p: x - y,
    "rsub": lambda m, F, x, y, p: 1 - x, "div": lambda m, F, x, y, p: x / y, "rdiv": lambda m, F, x, y, p: 2 / x,
    "squared_error_mean": lambda m, F, x, y, p: ((x - y) ** 2).mean(),
    "mse": lambda m, F, x, y, p: F.mse_loss(x, y), "mse_sum": lambda m, F, x, y, p: F.mse_loss(x, y, reduction="sum"),
    "l1": lambda m, F, x, y, p: F.l1_loss(x, y), "smooth_l1": lambda m, F, x, y, p: F.smooth_l1_loss(x, y),
    "cross_entropy": lambda m, F, x, y, p: F.cross_entropy(x, m.tensor([0, 1, 2, 0])),
    "nll": lambda m, F, x, y, p: F.nll_loss(F.log_softmax(x, 1), m.tensor([0, 1, 2, 0])),
    "bce": lambda m, F, x, y, p: F.binary_cross_entropy(m.sigmoid(x), p),
    "bce_logits": lambda m, F, x, y, p: F.binary_cross_entropy_with_logits(x, p),
    "softmax": lambda m, F, x, y, p: F.softmax(x, dim=1), "log_softmax": lambda m, F, x, y, p: x.log_softmax(1),
    "linear": lambda m, F, x, y, p: F.linear(x, y[:2], y[2, :2]),
    "linear_no_bias": lambda m, F, x, y, p: F.linear(x, y),
    "mm": lambda m, F, x, y, p: x @ y.t(), "mv": lambda m, F, x, y, p: x @ y[0],
    "dot": lambda m, F, x, y, p: x[0] @ y[0],
    "view": lambda m, F, x, y, p: x.view(12), "flatten": lambda m, F, x, y, p: x.flatten(),
    "t": lambda m, F, x, y, p: x.t(), "transpose": lambda m, F, x, y, p: x.transpose(0, 1),
    "unsqueeze": lambda m, F, x, y, p: x.unsqueeze(0), "sqrt": lambda m, F, x, y, p: x.abs().sqrt(),
    "std": lambda m, F, x, y, p: x.std(), "var": lambda m, F, x, y, p: x.var(),
    "leaky_relu": lambda m, F, x, y, p: F.leaky_relu(x), "elu": lambda m, F, x, y, p: F.elu(x),
    "gelu": lambda m, F, x, y, p: F.gelu(x), "softplus": lambda m, F, x, y, p: F.softplus(x),
    "silu": lambda m, F, x, y, p: F.silu(x),
    "batch_norm": lambda m, F, x, y, p: F.batch_norm(x, None, None, training=True),
    "select": lambda m, F, x, y, p: x[0], "select_column": lambda m, F, x, y, p: x[:, 0],
    "slice": lambda m, F, x, y, p: x[0, 1:3], "index_list": lambda m, F, x, y, p: x[[0, 1]],
    "index_mask": lambda m, F, x, y, p: x[x > 0], "index_none": lambda m, F, x, y, p: x[None],
}


@pytest.mark.parametrize("case", list(_GRAD_FN_CASES))
def test_printed_grad_fn_names_are_torchs(case):
    fn = _GRAD_FN_CASES[case]
    c = fn(cr, F, cr.tensor(_X, requires_grad=True), cr.tensor(_Y), cr.tensor(_P))
    t = fn(torch, TF, torch.tensor(_X, requires_grad=True), torch.tensor(_Y), torch.tensor(_P))
    assert repr(c).split("grad_fn=")[1] == repr(t).split("grad_fn=")[1]
    assert c.grad_fn.name() == t.grad_fn.name()
    assert repr(c.grad_fn).split(" at 0x")[0] == repr(t.grad_fn).split(" at 0x")[0]


def test_mm_mv_bmm_and_dot_take_only_their_shapes_as_torch():
    a, v = cr.ones(2, 2), cr.ones(2)
    with pytest.raises(RuntimeError, match="1D tensors expected, but got 2D and 2D tensors"):
        a.dot(a)
    with pytest.raises(RuntimeError, match="mm: both arguments must be matrices"):
        cr.mm(a, v)
    with pytest.raises(RuntimeError, match="mv: expected a matrix and a vector"):
        cr.mv(a, a)
    with pytest.raises(RuntimeError, match="bmm: both arguments must be 3-d"):
        cr.bmm(a, a)
    assert cr.mm(a, a).tolist() == [[2.0, 2.0], [2.0, 2.0]] and cr.mv(a, v).tolist() == [2.0, 2.0]
    assert v.dot(v).item() == 2.0 and cr.bmm(cr.ones(3, 2, 2), cr.ones(3, 2, 2)).shape == (3, 2, 2)
    for bad in (lambda m: m.ones(2, 2).dot(m.ones(2, 2)), lambda m: m.mm(m.ones(2, 2), m.ones(2)),
                lambda m: m.mv(m.ones(2, 2), m.ones(2, 2)), lambda m: m.bmm(m.ones(2, 2), m.ones(2, 2))):
        with pytest.raises(RuntimeError):
            bad(torch)


def test_variable_is_a_new_leaf_sharing_memory_as_torchs():
    for m in (cr, torch):
        x = m.tensor([1.0, 2.0])
        v = m.autograd.Variable(x, requires_grad=True)
        assert v is not x and v.requires_grad and not x.requires_grad and v.is_leaf
        with m.no_grad():
            v.add_(1.0)
        assert x.tolist() == [2.0, 3.0]


def test_a_node_keeps_its_name_and_next_functions_after_backward_as_torchs():
    shown = []
    for m, F_ in ((cr, F), (torch, TF)):
        w = m.tensor([1.0, 2.0], requires_grad=True)
        loss = F_.mse_loss(w * 2, m.tensor([0.0, 1.0]))
        loss.backward()
        assert "grad_fn=<MseLossBackward0>" in repr(loss)
        shown.append(_walk(loss.grad_fn))
    assert shown[0] == shown[1] == ["MseLossBackward0", ["MulBackward0", ["AccumulateGrad"], None], None]


def _walk(node):
    """A node's printed name and, below it, its next_functions (None for an input without a gradient)."""
    if node is None:
        return None
    name = repr(node).split(" object at ")[0].lstrip("<").rpartition(".")[2]
    return [name] + [_walk(n) for n, _ in node.next_functions]


def _programs(m, F_):
    x = m.linspace(-1.0, 1.0, 12).reshape(3, 4).requires_grad_()
    t = m.linspace(0.1, 0.9, 12).reshape(3, 4)
    w = m.linspace(-0.5, 0.5, 8).reshape(2, 4).requires_grad_()
    b = m.zeros(2, requires_grad=True)
    cls = m.tensor([0, 1, 0])
    return {
        "linear + mse (the 60-minute blitz)": F_.mse_loss(F_.linear(F_.relu(x), w, b), t[:, :2]),
        "linear without bias + cross_entropy": F_.cross_entropy(F_.linear(x, w), cls[:3]),
        "nll_loss": F_.nll_loss(F_.log_softmax(x, 1), cls),
        "huber, smooth_l1, bce, bce_with_logits": [F_.huber_loss(x, t), F_.smooth_l1_loss(x, t),
                                                   F_.binary_cross_entropy(x.sigmoid(), t),
                                                   F_.binary_cross_entropy_with_logits(x, t)],
        "mean, sum(dim), var, std, sqrt, softmax": [x.mean(), x.mean(1), x.sum(1), x.var(), x.std(),
                                                    (x * x).sqrt(), x.softmax(1)],
        "activations": [F_.leaky_relu(x), F_.elu(x), F_.softplus(x), F_.gelu(x), F_.silu(x)],
        "sub, rsub, rdiv, div": [x - t, t - x, x - 2, 1 - x, 2 / x, x / 2, x - x * 2],
    }


@pytest.mark.parametrize("case", list(_programs(cr, F)))
def test_next_functions_walk_the_graph_as_torchs(case):
    """What ``grad_fn.next_functions`` shows is torch's graph: a composite lists its own inputs, a leaf is an
    AccumulateGrad node, a linear layer is addmm(bias, x, Wᵀ) -- so a tutorial that walks it prints the same."""
    ours, theirs = _programs(cr, F)[case], _programs(torch, TF)[case]
    ours, theirs = (v if isinstance(v, list) else [v] for v in (ours, theirs))
    assert [_walk(y.grad_fn) for y in ours] == [_walk(y.grad_fn) for y in theirs]


def test_a_leafs_accumulate_grad_node_is_one_object_and_holds_the_leaf():
    lin = cr.nn.Linear(3, 2)
    y = lin(cr.ones(4, 3))
    bias_node = y.grad_fn.next_functions[0][0]
    assert bias_node is y.grad_fn.next_functions[0][0] and bias_node.variable is lin.bias
    assert bias_node.next_functions == () and bias_node.name() == "torch::autograd::AccumulateGrad"
    t_node = y.grad_fn.next_functions[2][0]
    assert repr(t_node).startswith("<TBackward0 object at 0x") and t_node.next_functions[0][0].variable is lin.weight
    assert cr.autograd.graph_edges(y.grad_fn)[1][0] is lin.weight  # the engine's own edges: (x, W, b)


def test_a_custom_functions_node_is_named_as_torchs():
    class Twice(cr.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            return x * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    y = Twice.apply(cr.ones(2, requires_grad=True))
    assert "grad_fn=<TwiceBackward>" in repr(y) and y.grad_fn.name() == "TwiceBackward"
    assert repr(y.grad_fn).startswith("<chainrule.autograd.function.TwiceBackward object at 0x")


@pytest.mark.parametrize("start, end, steps", [(-5, 5, 200), (-np.pi, np.pi, 2000), (-7, 10, 600), (0.1, 0.9, 7),
                                               (3, -2, 33), (2, 2, 5), (0, 1, 2), (0, 1, 1)])
def test_linspace_is_torchs_bit_for_bit(start, end, steps):
    for dtype in ("float32", "float64"):
        c = cr.linspace(start, end, steps, dtype=getattr(cr, dtype))
        t = torch.linspace(start, end, steps, dtype=getattr(torch, dtype))
        np.testing.assert_array_equal(c.numpy(), t.numpy())


def test_named_results_print_as_torchs_return_types():
    from chainrule.engine import dtypes

    x = [[1.0, 3.0, 2.0], [0.5, -1.0, 4.0]]
    calls = [lambda m, t: m.max(t, 1), lambda m, t: m.min(t, 0), lambda m, t: m.sort(t[0]),
             lambda m, t: t.topk(2), lambda m, t: t.median(1), lambda m, t: m.histogram(t.flatten(), bins=3)]
    old = dtypes.shown_module
    dtypes.shown_module = "torch"  # as under the torch shim
    try:
        for call in calls:
            assert repr(call(cr, cr.tensor(x))) == repr(call(torch, torch.tensor(x)))
    finally:
        dtypes.shown_module = old
    indices = cr.max(cr.tensor(x), 1).indices
    assert repr(cr.max(cr.tensor(x), 1)).startswith("chainrule.return_types.max(\nvalues=tensor(")
    assert indices.tolist() == [1, 2] and cr.max(cr.tensor(x), 1).values.tolist() == [3.0, 4.0]


def test_load_state_dict_result_prints_as_torchs():
    for m in (cr, torch):
        net = m.nn.Linear(2, 2)
        assert repr(net.load_state_dict(net.state_dict())) == "<All keys matched successfully>"
        assert repr(net.load_state_dict({}, strict=False)) == \
            "_IncompatibleKeys(missing_keys=['weight', 'bias'], unexpected_keys=[])"

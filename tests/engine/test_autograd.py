"""The engine: the lectures' circuits, backward semantics, grad modes, hooks, autograd.grad, gradcheck."""

import math

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.autograd import AnomalyError, GradcheckError


def test_lecture_circuit_x_plus_y_times_z():
    x, y, z = (cr.tensor(v, requires_grad=True) for v in (-2.0, 5.0, -4.0))
    q = x + y
    f = q * z
    q.retain_grad()
    f.backward()
    assert (q.item(), f.item()) == (3.0, -12.0)
    assert (x.grad.item(), y.grad.item(), z.grad.item(), q.grad.item()) == (-4.0, -4.0, 3.0, -4.0)


def test_lecture_sigmoid_neuron():
    w = cr.tensor([2.0, -3.0, -3.0], dtype=cr.float64, requires_grad=True)
    x = cr.tensor([-1.0, -2.0], dtype=cr.float64, requires_grad=True)
    f = 1 / (1 + (-(w[0] * x[0] + w[1] * x[1] + w[2])).exp())
    f.backward()
    assert f.item() == pytest.approx(0.7310585786)
    np.testing.assert_allclose(w.grad.numpy(), [-0.19661193, -0.39322387, 0.19661193], rtol=1e-7)
    np.testing.assert_allclose(x.grad.numpy(), [0.39322387, -0.5898358], rtol=1e-7)


def test_gradients_accumulate_and_fan_out():
    x = cr.tensor(3.0, requires_grad=True)
    y = x * x + x  # x used three times
    y.backward()
    y = x * 2
    y.backward()
    assert x.grad.item() == 2 * 3 + 1 + 2


def test_passthrough_gradients_are_not_shared_between_leaves():
    a = cr.ones(3, requires_grad=True)
    b = cr.ones(3, requires_grad=True)
    (a + b).sum().backward()
    a.grad.zero_()
    assert b.grad.numpy().tolist() == [1.0, 1.0, 1.0]


def test_non_scalar_backward_needs_gradient():
    x = cr.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="only for scalar outputs.*shape \\(3,\\)"):
        (x * 2).backward()
    (x * 2).backward(cr.tensor([1.0, 2.0, 3.0]))
    assert x.grad.tolist() == [2.0, 4.0, 6.0]


def test_second_backward_through_freed_graph_raises():
    x = cr.tensor(2.0, requires_grad=True)
    y = (x * x).exp()
    y.backward(retain_graph=True)
    y.backward()
    assert x.grad.item() == pytest.approx(2 * 4 * math.exp(4))
    with pytest.raises(RuntimeError, match="backward through the graph a second time"):
        y.backward()


def test_backward_on_tensor_without_grad_raises():
    with pytest.raises(RuntimeError, match="does not require grad"):
        cr.ones(2).sum().backward()


def test_chain_of_100000_ops_is_iterative():
    x = cr.tensor(1.0, dtype=cr.float64, requires_grad=True)
    y = x
    for _ in range(100_000):
        y = y + 0.0001
    y.backward()
    assert x.grad.item() == 1.0
    assert y.item() == pytest.approx(11.0)


def test_no_grad_and_enable_grad_and_decorator():
    x = cr.ones(2, requires_grad=True)
    with cr.no_grad():
        y = x * 2
        assert not cr.is_grad_enabled()
        with cr.enable_grad():
            z = x * 2
    assert not y.requires_grad and y.grad_fn is None and z.requires_grad

    @cr.no_grad()
    def f(t):
        return t * 3

    assert not f(x).requires_grad and cr.is_grad_enabled()

    @cr.no_grad  # without parentheses, as torch allows
    def g(t):
        return t * 3

    @cr.enable_grad
    def h(t):
        return t * 3

    assert not g(x).requires_grad and g.__name__ == "g" and cr.is_grad_enabled()
    with cr.no_grad():
        assert h(x).requires_grad


def test_inplace_on_leaf_requiring_grad_is_refused_but_allowed_under_no_grad():
    w = cr.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="leaf Variable that requires grad.*in-place"):
        w += 1
    with pytest.raises(RuntimeError, match="leaf Variable"):
        w.mul_(2)
    with cr.no_grad():
        w -= 0.5
        w.mul_(2)
    assert w.tolist() == [1.0, 1.0, 1.0] and w.is_leaf


def test_inplace_on_non_leaf_rewrites_history_like_torch():
    for lib in (cr, torch):
        x = lib.tensor([1.0, 2.0], requires_grad=True)
        y = x * 3
        y += x
        y.mul_(2)
        y.sum().backward()
        assert x.grad.tolist() == [8.0, 8.0]


def test_setitem_on_graph_tensor():
    x = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
    y = x * 1
    y[1] = x[0] * 10
    y.sum().backward()
    t = torch.tensor([1.0, 2.0, 3.0], requires_grad=True)
    u = t * 1
    u[1] = t[0] * 10
    u.sum().backward()
    assert y.tolist() == u.tolist() and x.grad.tolist() == t.grad.tolist()


def test_retain_grad_and_leaf_flags():
    x = cr.ones(2, requires_grad=True)
    h = x * 2
    h.retain_grad()
    (h * h).sum().backward()
    assert h.grad.tolist() == [4.0, 4.0] and not h.is_leaf and x.is_leaf
    assert h.grad_fn.name() == "MulBackward0"


def test_tensor_hooks_replace_gradient_and_remove():
    x = cr.ones(2, requires_grad=True)
    seen = []
    handle = x.register_hook(lambda g: g * 10)
    h = x * 3
    h.register_hook(lambda g: seen.append(g.tolist()))
    h.sum().backward()
    assert x.grad.tolist() == [30.0, 30.0] and seen == [[1.0, 1.0]]
    handle.remove()
    x.grad = None
    (x * 3).sum().backward()
    assert x.grad.tolist() == [3.0, 3.0]


def test_autograd_grad_does_not_touch_dot_grad():
    x = cr.tensor([1.0, 2.0], requires_grad=True)
    y = cr.tensor(3.0, requires_grad=True)
    h = x * y
    gx, gh = cr.autograd.grad((h * h).sum(), [x, h])
    assert x.grad is None
    assert gx.tolist() == [18.0, 36.0] and gh.tolist() == [6.0, 12.0]
    with pytest.raises(RuntimeError, match="not used"):
        cr.autograd.grad((x * 2).sum(), [y])
    (g,) = cr.autograd.grad((x * 2).sum(), [y], allow_unused=True)
    assert g is None


def test_gradcheck_catches_a_wrong_derivative():
    class BadSquare(cr.autograd.Function):
        @staticmethod
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return x * x

        @staticmethod
        def backward(ctx, g):
            (x,) = ctx.saved_tensors
            return g * x  # wrong: should be 2x

    x = cr.randn(4, dtype=cr.float64, requires_grad=True)
    with pytest.raises(GradcheckError):
        cr.autograd.gradcheck(BadSquare.apply, [x])
    assert cr.autograd.gradcheck(lambda t: t * t, [x])


def test_detect_anomaly_names_the_op_and_line():
    x = cr.tensor([-1.0, 1.0], requires_grad=True)
    with cr.autograd.detect_anomaly():
        with pytest.raises(AnomalyError, match=r"LogBackward0.*test_autograd.py"):
            x.log()
    y = cr.tensor([0.0], requires_grad=True)
    with cr.autograd.detect_anomaly():
        z = y.sqrt()  # forward fine (0), backward inf
        with pytest.raises(AnomalyError, match="SqrtBackward0 produced NaN/Inf in its backward"):  # torch names it so
            z.sum().backward()


def test_custom_function_multiple_inputs_outputs_and_non_tensor_args():
    class ScaledSumDiff(cr.autograd.Function):
        @staticmethod
        def forward(ctx, a, b, alpha):
            ctx.alpha = alpha
            return a * alpha + b, a - b

        @staticmethod
        def backward(ctx, gs, gd):
            return gs * ctx.alpha + gd, gs - gd, None

    a = cr.randn(3, dtype=cr.float64, requires_grad=True)
    b = cr.randn(3, dtype=cr.float64, requires_grad=True)
    s, d = ScaledSumDiff.apply(a, b, 2.5)
    (s * 2 + d * 3).sum().backward()
    np.testing.assert_allclose(a.grad.numpy(), 2 * 2.5 + 3)
    np.testing.assert_allclose(b.grad.numpy(), 2 - 3)
    assert cr.autograd.gradcheck(lambda a, b: ScaledSumDiff.apply(a, b, 2.5), [a, b])


def test_custom_function_wrong_gradient_count_and_shape_named():
    class Bad(cr.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g, g

    class BadShape(cr.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return cr.ones(5)

    x = cr.ones(3, requires_grad=True)
    with pytest.raises(RuntimeError, match="Bad.backward returned an incorrect number of gradients"):
        Bad.apply(x).sum().backward()
    with pytest.raises(RuntimeError, match=r"BadShape.backward returned a gradient of shape \(5,\).*\(3,\)"):
        BadShape.apply(x).sum().backward()


def test_custom_function_under_no_grad():
    class Double(cr.autograd.Function):
        @staticmethod
        def forward(ctx, a):
            return a * 2

        @staticmethod
        def backward(ctx, g):
            return g * 2

    x = cr.ones(2, requires_grad=True)
    with cr.no_grad():
        y = Double.apply(x)
    assert not y.requires_grad
    assert Double.apply(x).grad_fn.name() == "DoubleBackward"  # torch's name for a custom node


def test_grad_mode_is_per_thread_like_torch():
    import threading

    x = cr.ones(2, requires_grad=True)
    seen = {}

    def other_thread():
        seen["other"] = (x * 2).requires_grad

    with cr.no_grad():
        t = threading.Thread(target=other_thread)
        t.start()
        t.join()
        seen["here"] = (x * 2).requires_grad
    assert seen == {"other": True, "here": False}


def test_set_detect_anomaly_and_the_old_variable():
    cr.autograd.set_detect_anomaly(True)
    try:
        x = cr.tensor([-1.0], requires_grad=True)
        with pytest.raises(Exception, match="(?i)log"):
            x.log().sum().backward()
    finally:
        cr.autograd.set_detect_anomaly(False)
    x = cr.ones(2)
    v = cr.autograd.Variable(x, requires_grad=True)  # as torch's: a new leaf sharing x's memory
    assert v is not x and v.requires_grad and v.is_leaf and not x.requires_grad
    v.data.add_(1.0)
    assert x.tolist() == [2.0, 2.0]
    with pytest.raises(TypeError, match="must be a Tensor"):
        cr.autograd.Variable([1.0])


def test_leaf_gradient_keeps_the_leaf_dtype():
    w = cr.ones(3, 2, requires_grad=True)  # float32
    x = cr.ones(4, 3, dtype=cr.float64)
    (x @ w).sum().backward()
    assert w.grad.dtype == cr.float32 and w.grad.tolist() == [[4.0, 4.0]] * 3

"""Convolution, pooling, padding, unfold/fold against torch.nn.functional (float64, values and gradients of
every input) and by the engine's finite-difference gradcheck: one ``check_op`` line per case."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import chainrule as cr
import chainrule.nn.functional as CF
from oracle import check_op

pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same. with even kernel")


def both(name, *args, **kw):
    """(chainrule fn, torch fn): F.name(*inputs, *args, **kw) in each library."""
    return (lambda *x: getattr(CF, name)(*x, *args, **kw)), (lambda *x: getattr(TF, name)(*x, *args, **kw))


CONV2D = [
    ((2, 3, 7, 6), (4, 3, 3, 2), {}),
    ((2, 3, 7, 6), (4, 3, 3, 3), {"stride": 2}),
    ((2, 3, 7, 6), (4, 3, 3, 3), {"stride": (2, 1), "padding": (1, 0)}),
    ((2, 3, 7, 6), (4, 3, 3, 3), {"padding": 1}),
    ((2, 3, 7, 6), (4, 3, 3, 3), {"padding": "same"}),
    ((2, 3, 7, 6), (4, 3, 2, 4), {"padding": "same"}),  # even kernels: the extra row/column goes after
    ((2, 3, 7, 6), (4, 3, 3, 2), {"padding": "same", "dilation": (2, 1)}),
    ((2, 3, 7, 6), (4, 3, 3, 3), {"padding": "valid"}),
    ((2, 3, 8, 7), (4, 3, 3, 2), {"dilation": 2, "padding": (1, 2)}),
    ((2, 3, 8, 7), (4, 3, 3, 3), {"dilation": (1, 2), "stride": (1, 2)}),
    ((2, 4, 6, 6), (6, 2, 3, 3), {"groups": 2}),
    ((2, 4, 6, 6), (8, 1, 3, 3), {"groups": 4, "stride": 2, "padding": 1}),  # depthwise
    ((2, 3, 5, 5), (4, 3, 1, 1), {}),  # 1×1: a per-pixel linear layer
    ((2, 3, 4, 5), (4, 3, 4, 5), {}),  # the kernel covers the whole image
    ((3, 6, 5), (4, 3, 3, 3), {"padding": 1}),  # unbatched (C, H, W)
    ((1, 1, 9, 9), (2, 1, 4, 4), {"stride": 3, "dilation": 2, "padding": 2}),
]


@pytest.mark.parametrize("bias", [True, False])
@pytest.mark.parametrize("xs,ws,kw", CONV2D)
def test_conv2d(xs, ws, kw, bias):
    shapes = [xs, ws] + ([(ws[0],)] if bias else [])
    check_op(shapes, *both("conv2d", **kw))


def test_convolutions_sharing_the_scratch_workspace_keep_their_own_gradients():
    """X_col lives in one reused buffer: two convolutions recorded before one backward (and a second backward
    with retain_graph) must still see their own inputs."""
    conv = both("conv2d", padding=1)
    fn = lambda x, w, v: conv[0](x, w) * conv[0](x * 2.0, v) + conv[0](x, v)  # noqa: E731
    tfn = lambda x, w, v: conv[1](x, w) * conv[1](x * 2.0, v) + conv[1](x, v)  # noqa: E731
    check_op([(2, 3, 5, 5), (4, 3, 3, 3), (4, 3, 3, 3)], fn, tfn)
    x, w = cr.randn(2, 3, 5, 5, requires_grad=True), cr.randn(4, 3, 3, 3)
    y = CF.conv2d(x, w).sum()
    y.backward(retain_graph=True)
    first = x.grad.numpy().copy()
    CF.conv2d(cr.randn(7, 3, 9, 9), w)  # another shape in between
    y.backward()
    np.testing.assert_allclose(x.grad.numpy(), 2 * first, rtol=1e-5)


CONV1D = [
    ((2, 3, 9), (4, 3, 3), {}),
    ((2, 3, 9), (4, 3, 3), {"stride": 2, "padding": 1}),
    ((2, 3, 9), (4, 3, 4), {"padding": "same"}),
    ((2, 3, 9), (4, 3, 3), {"dilation": 3, "padding": 2}),
    ((2, 4, 9), (4, 2, 3), {"groups": 2}),
    ((3, 9), (4, 3, 3), {}),
]


@pytest.mark.parametrize("xs,ws,kw", CONV1D)
def test_conv1d(xs, ws, kw):
    check_op([xs, ws, (ws[0],)], *both("conv1d", **kw))


def test_conv2d_float32_stays_float32_and_matches_torch():
    rng = np.random.default_rng(0)
    x, w = rng.standard_normal((2, 3, 8, 8)).astype(np.float32), rng.standard_normal((5, 3, 3, 3)).astype(np.float32)
    y = CF.conv2d(cr.tensor(x), cr.tensor(w), padding=1)
    assert y.dtype == cr.float32
    np.testing.assert_allclose(y.numpy(), TF.conv2d(torch.tensor(x), torch.tensor(w), padding=1).numpy(), atol=1e-5)


def test_conv_of_a_conv_output_and_in_place_after():
    """The output is a view of the product's layout: a second conv reads it, in-place ops may write it."""
    fn = lambda x, w1, w2: both("conv2d", padding=1)[0](both("conv2d")[0](x, w1).relu(), w2)  # noqa: E731
    tfn = lambda x, w1, w2: TF.conv2d(TF.conv2d(x, w1).relu(), w2, padding=1)  # noqa: E731
    check_op([(2, 2, 7, 7), (3, 2, 3, 3), (4, 3, 3, 3)], fn, tfn)
    y = CF.conv2d(cr.randn(1, 1, 5, 5), cr.randn(2, 1, 3, 3))
    y += 1.0
    y.relu_()


@pytest.mark.parametrize("kw", [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2},  # overlapping windows: gradients add up
    {"kernel_size": 3, "stride": 1, "padding": 1},
    {"kernel_size": (2, 3), "stride": (1, 2), "dilation": (2, 1)},
    {"kernel_size": 3, "stride": 2, "ceil_mode": True},
    {"kernel_size": 2, "stride": 2, "padding": 1, "ceil_mode": True},
])
@pytest.mark.parametrize("shape", [(2, 3, 7, 8), (3, 7, 8)])
def test_max_pool2d(kw, shape):
    check_op([shape], *both("max_pool2d", **kw))


def test_max_pool_ties_send_the_gradient_to_the_first_maximum():
    a = np.array([[[[1.0, 1.0, 0.0], [1.0, 0.5, 1.0], [0.0, 1.0, 1.0]]]])
    check_op([a], *both("max_pool2d", 2, 1), gradcheck=False)
    check_op([np.zeros((1, 2, 4, 4))], *both("max_pool2d", 2), gradcheck=False)
    check_op([np.ones((1, 2, 5))], *both("max_pool1d", 3, 1), gradcheck=False)


@pytest.mark.parametrize("kw", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1, "dilation": 1},
                                {"kernel_size": (2, 3), "stride": 1, "padding": (1, 1), "dilation": (1, 2)}])
def test_max_pool2d_return_indices(kw):
    x = np.random.default_rng(0).standard_normal((2, 3, 7, 8))
    cy, ci = CF.max_pool2d(cr.tensor(x), return_indices=True, **kw)
    ty, ti = TF.max_pool2d(torch.tensor(x), return_indices=True, **kw)
    np.testing.assert_array_equal(ci.numpy(), ti.numpy())
    np.testing.assert_array_equal(cy.numpy(), ty.numpy())
    assert ci.dtype == cr.int64


@pytest.mark.parametrize("kw", [{"kernel_size": 2}, {"kernel_size": 3, "stride": 2, "padding": 1},
                                {"kernel_size": 3, "stride": 2, "ceil_mode": True, "return_indices": True}])
def test_max_pool1d(kw):
    check_op([(2, 3, 10)], *both("max_pool1d", **kw))


def test_max_pool_propagates_nan():
    x = np.zeros((1, 1, 4, 4))
    x[0, 0, 1, 1] = np.nan
    y = CF.max_pool2d(cr.tensor(x), 2).numpy()
    np.testing.assert_array_equal(np.isnan(y), TF.max_pool2d(torch.tensor(x), 2).isnan().numpy())


@pytest.mark.parametrize("kw", [
    {"kernel_size": 2},
    {"kernel_size": 3, "stride": 2, "padding": 1},
    {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": False},
    {"kernel_size": 3, "stride": 2, "ceil_mode": True},
    {"kernel_size": 3, "stride": 2, "padding": 1, "ceil_mode": True, "count_include_pad": False},
    {"kernel_size": (2, 3), "stride": (1, 2), "divisor_override": 5},
])
def test_avg_pool2d(kw):
    check_op([(2, 3, 7, 8)], *both("avg_pool2d", **kw))


@pytest.mark.parametrize("kw", [{"kernel_size": 3}, {"kernel_size": 4, "stride": 2, "padding": 2, "ceil_mode": True},
                                {"kernel_size": 3, "stride": 1, "padding": 1, "count_include_pad": False}])
def test_avg_pool1d(kw):
    check_op([(2, 3, 11)], *both("avg_pool1d", **kw))


@pytest.mark.parametrize("shape,size", [((2, 3, 6, 8), 1), ((2, 3, 6, 8), (3, 4)), ((2, 3, 5, 7), (2, 3)),
                                        ((2, 3, 5, 7), (None, 3)), ((3, 5, 7), (4, 4)), ((2, 3, 4, 4), (6, 5))])
def test_adaptive_avg_pool2d(shape, size):
    check_op([shape], *both("adaptive_avg_pool2d", size))


@pytest.mark.parametrize("size", [1, 3, 4, 9])
def test_adaptive_avg_pool1d(size):
    check_op([(2, 3, 7)], *both("adaptive_avg_pool1d", size))


@pytest.mark.parametrize("pad,mode,value", [
    ((1, 2), "constant", None), ((1, 2, 0, 3), "constant", 1.5), ((1, -1, -2, 2), "constant", None),
    ((2, 1, 1, 2), "reflect", None), ((2, 1, 1, 2), "replicate", None), ((2, 1, 1, 3), "circular", None),
    ((0, 0, 1, 1, 2, 0), "constant", None),
])
def test_pad(pad, mode, value):
    kw = {"mode": mode} if value is None else {"mode": mode, "value": value}
    check_op([(2, 3, 4, 5)], *both("pad", pad, **kw))


def test_pad_3d_input_modes():
    for mode in ("reflect", "replicate", "circular"):
        check_op([(2, 3, 5)], *both("pad", (2, 1), mode=mode))
    with pytest.raises(NotImplementedError, match="needs a 2-d or 3-d input"):  # torch refuses it too
        CF.pad(cr.randn(2, 3, 4, 5), (1, 1), mode="reflect")


@pytest.mark.parametrize("kw", [{"kernel_size": 2}, {"kernel_size": (2, 3), "stride": 2, "padding": 1},
                                {"kernel_size": 2, "dilation": 2, "stride": (1, 2)}])
def test_unfold_and_fold(kw):
    check_op([(2, 3, 6, 7)], *both("unfold", **kw))
    cols = CF.unfold(cr.zeros(2, 3, 6, 7), **kw)
    check_op([tuple(cols.shape)], *both("fold", (6, 7), **kw))


def test_unfold_is_the_im2col_of_conv2d():
    """conv2d = W·unfold(x): the same numbers two ways (and fold∘unfold counts each pixel's windows)."""
    x, w = cr.randn(2, 3, 6, 6, dtype=cr.float64), cr.randn(4, 3, 3, 3, dtype=cr.float64)
    via_unfold = (w.reshape(4, -1) @ CF.unfold(x, 3)).reshape(2, 4, 4, 4)
    np.testing.assert_allclose(via_unfold.numpy(), CF.conv2d(x, w).numpy(), atol=1e-12)
    counts = CF.fold(CF.unfold(cr.ones(1, 1, 4, 4), 2), (4, 4), 2).numpy()[0, 0]
    np.testing.assert_array_equal(counts, [[1, 2, 2, 1], [2, 4, 4, 2], [2, 4, 4, 2], [1, 2, 2, 1]])


# -------------------------------------------------------------------------------------------- messages
@pytest.mark.parametrize("call,match", [
    (lambda: CF.conv2d(cr.randn(1, 3, 5, 5), cr.randn(4, 2, 3, 3)), "input has 3 channels"),
    (lambda: CF.conv2d(cr.randn(1, 3, 2, 2), cr.randn(4, 3, 3, 3)), "can't be larger"),
    (lambda: CF.conv2d(cr.randn(3, 5), cr.randn(4, 3, 3, 3)), "4-d input"),
    (lambda: CF.conv2d(cr.randn(1, 3, 5, 5), cr.randn(4, 3, 3, 3), stride=2, padding="same"), "strided"),
    (lambda: CF.conv2d(cr.randn(1, 3, 5, 5), cr.randn(4, 3, 3, 3), padding="full"), "Invalid padding string"),
    (lambda: CF.conv2d(cr.randn(1, 3, 5, 5), cr.randn(4, 3, 3, 3), cr.randn(3)), r"bias must have shape \(4,\)"),
    (lambda: CF.conv1d(cr.randn(1, 3, 5), cr.randn(4, 3, 3, 3)), "weight must be 3-d"),
    (lambda: CF.max_pool2d(cr.randn(1, 1, 4, 4), 2, padding=2), "at most half"),
    (lambda: CF.pad(cr.randn(1, 1, 4), (1, 2, 3)), "even number"),
    (lambda: CF.pad(cr.randn(1, 1, 4), (4, 0), mode="reflect"), "reflect padding needs"),
    (lambda: CF.fold(cr.randn(1, 12, 5), (4, 4), 2), "fold: expected input of shape"),
])
def test_clear_errors(call, match):
    with pytest.raises(ValueError, match=match):
        call()

"""nn.functional against torch.nn.functional (float64 values and gradients, plus gradcheck)."""

import numpy as np
import pytest
import torch
import torch.nn.functional as TF

import chainrule as cr
import chainrule.nn.functional as F
from oracle import check_op, on_device

ACTIVATIONS = {
    "relu": (F.relu, TF.relu),
    "sigmoid": (F.sigmoid, torch.sigmoid),
    "tanh": (F.tanh, torch.tanh),
    "leaky_relu": (F.leaky_relu, TF.leaky_relu),
    "leaky_relu_0.2": (lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2)),
    "elu": (F.elu, TF.elu),
    "elu_0.5": (lambda x: F.elu(x, alpha=0.5), lambda x: TF.elu(x, alpha=0.5)),
    "softplus": (F.softplus, TF.softplus),
    "softplus_beta": (lambda x: F.softplus(x, beta=2.0, threshold=1.0), lambda x: TF.softplus(x, 2.0, 1.0)),
    "gelu": (F.gelu, TF.gelu),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), lambda x: TF.gelu(x, approximate="tanh")),
    "silu": (F.silu, TF.silu),
    "softmax": (lambda x: F.softmax(x, 1), lambda x: TF.softmax(x, 1)),
    "log_softmax": (lambda x: F.log_softmax(x, -1), lambda x: TF.log_softmax(x, -1)),
    "hardtanh": (F.hardtanh, TF.hardtanh),
    "hardtanh_0_2": (lambda x: F.hardtanh(x, 0.0, 2.0), lambda x: TF.hardtanh(x, 0.0, 2.0)),
    "relu6": (lambda x: F.relu6(x * 4), lambda x: TF.relu6(x * 4)),
    "logsigmoid": (F.logsigmoid, TF.logsigmoid),
    "softsign": (F.softsign, TF.softsign),
    "selu": (F.selu, TF.selu),
    "softmin": (lambda x: F.softmin(x, 1), lambda x: TF.softmin(x, 1)),
}


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("shape", [(4, 5), (2, 3, 4)])
def test_activation_matches_torch(name, shape):
    fn, tfn = ACTIVATIONS[name]
    check_op([shape], fn, tfn)


@pytest.mark.parametrize("name", [n for n in ACTIVATIONS if "softm" not in n])
def test_activation_extreme_inputs_finite(name):
    fn, tfn = ACTIVATIONS[name]
    a = np.array([-1000.0, -50.0, -1e-3, 0.0, 1e-3, 50.0, 1000.0])
    check_op([a], fn, tfn, gradcheck=False)
    x = cr.tensor(a, requires_grad=True)
    fn(x).sum().backward()
    assert np.isfinite(x.grad.numpy()).all()


@pytest.mark.parametrize("shape,wshape", [((4, 3), (1,)), ((4, 3), (3,)), ((2, 3, 5), (3,))])
def test_prelu(shape, wshape):
    check_op([shape, wshape], F.prelu, TF.prelu)


def test_normalize_and_cosine_similarity():
    check_op([(4, 5)], F.normalize, TF.normalize)
    check_op([(4, 5)], lambda x: F.normalize(x, p=1.0, dim=0), lambda x: TF.normalize(x, p=1.0, dim=0))
    check_op([(4, 5), (4, 5)], F.cosine_similarity, TF.cosine_similarity)
    check_op([(3, 4), (4,)], lambda a, b: F.cosine_similarity(a, b, dim=-1),
             lambda a, b: TF.cosine_similarity(a, b, dim=-1))


@pytest.mark.parametrize("beta", [1.0, 0.3, 0.0])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
def test_smooth_l1_loss(beta, reduction):
    check_op([(4, 5), (4, 5)], lambda x, y: F.smooth_l1_loss(x, y, reduction=reduction, beta=beta),
             lambda x, y: TF.smooth_l1_loss(x, y, reduction=reduction, beta=beta))
    assert cr.nn.SmoothL1Loss(beta=beta)(cr.ones(3), cr.zeros(3)).item() == pytest.approx(
        torch.nn.SmoothL1Loss(beta=beta)(torch.ones(3), torch.zeros(3)).item())


def test_linear():
    check_op([(5, 3), (4, 3), (4,)], F.linear, TF.linear)
    check_op([(2, 5, 3), (4, 3)], F.linear, TF.linear)


def test_linear_shape_error_names_shapes():
    with pytest.raises(ValueError, match=r"in_features=3.*\(\.\.\., 3\)"):
        F.linear(cr.randn(5, 2), cr.randn(4, 3))


def test_one_hot():
    t = cr.tensor([0, 2, 1])
    np.testing.assert_array_equal(F.one_hot(t).numpy(), TF.one_hot(torch.tensor([0, 2, 1])).numpy())
    assert F.one_hot(t, 5).shape == (3, 5)
    assert F.one_hot(t).dtype == cr.int64
    with pytest.raises(ValueError, match="class values"):
        F.one_hot(t, 2)


def test_dropout_functional_eval_and_p0_identity():
    x = cr.randn(10, 10)
    assert F.dropout(x, 0.5, training=False) is x
    assert F.dropout(x, 0.0) is x
    assert (F.dropout(x, 1.0).numpy() == 0).all()
    with pytest.raises(ValueError, match="between 0 and 1"):
        F.dropout(x, 1.5)


# ----------------------------------------------------------------------------------------------- losses
REDUCTIONS = ["mean", "sum", "none"]
rng = np.random.default_rng(0)
PROBS = rng.uniform(0.05, 0.95, (4, 3))
BINARY = (rng.uniform(size=(4, 3)) > 0.5).astype(np.float64)
CLASSES = np.array([0, 2, 1, 2, 0])
CLASSES_IGN = np.array([0, -100, 1, 2, -100])
CLASSES_2D = rng.integers(0, 3, (2, 4))
SOFT = rng.dirichlet(np.ones(3), 5)
W3 = np.array([0.2, 1.0, 3.0])


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_regression_losses(reduction):
    check_op([(4, 3), (4, 3)], lambda x, y: F.mse_loss(x, y, reduction=reduction),
             lambda x, y: TF.mse_loss(x, y, reduction=reduction))
    check_op([(4, 3), (4, 3)], lambda x, y: F.l1_loss(x, y, reduction=reduction),
             lambda x, y: TF.l1_loss(x, y, reduction=reduction))
    for delta in (1.0, 0.3):
        check_op([(4, 3), (4, 3)], lambda x, y, d=delta: F.huber_loss(x, y, reduction=reduction, delta=d),
                 lambda x, y, d=delta: TF.huber_loss(x, y, reduction=reduction, delta=d))


def test_mse_warns_on_broadcasting_target():
    with pytest.warns(UserWarning, match="target size"):
        F.mse_loss(cr.randn(4, 1), cr.randn(4))


@pytest.mark.parametrize("loss", [F.mse_loss, F.l1_loss, F.huber_loss, F.binary_cross_entropy_with_logits])
def test_regression_losses_name_incompatible_shapes(loss):
    with pytest.raises(ValueError, match=rf"{loss.__name__}: the input has shape \(4, 3\) and the target \(4, 2\)"):
        loss(cr.rand(4, 3), cr.rand(4, 2))


def test_huber_delta_must_be_positive():
    with pytest.raises(ValueError, match="delta must be positive"):
        cr.nn.HuberLoss(delta=0)
    with pytest.raises(ValueError, match="delta must be positive"):
        F.huber_loss(cr.zeros(2), cr.zeros(2), delta=-1.0)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce(reduction):
    check_op([PROBS, BINARY], lambda x, y: F.binary_cross_entropy(x, y, reduction=reduction),
             lambda x, y: TF.binary_cross_entropy(x, y, reduction=reduction))
    w = rng.uniform(0.5, 2, (3,))
    check_op([PROBS, BINARY], lambda x, y: F.binary_cross_entropy(x, y, weight=on_device(w), reduction=reduction),
             lambda x, y: TF.binary_cross_entropy(x, y, weight=torch.tensor(w), reduction=reduction))


def test_bce_rejects_logits_and_clamps_log():
    with pytest.raises(ValueError, match="with_logits"):
        F.binary_cross_entropy(cr.tensor([0.5, 1.5]), cr.tensor([0.0, 1.0]))
    x = torch.tensor([0.0, 1.0, 0.3], dtype=torch.float64)
    y = torch.tensor([1.0, 0.0, 1.0], dtype=torch.float64)
    ours = F.binary_cross_entropy(cr.tensor(x.numpy()), cr.tensor(y.numpy()), reduction="none")
    np.testing.assert_allclose(ours.numpy(), TF.binary_cross_entropy(x, y, reduction="none").numpy())


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_bce_with_logits(reduction):
    check_op([(4, 3), BINARY], lambda x, y: F.binary_cross_entropy_with_logits(x, y, reduction=reduction),
             lambda x, y: TF.binary_cross_entropy_with_logits(x, y, reduction=reduction))
    pw, w = rng.uniform(0.5, 3, (3,)), rng.uniform(0.5, 2, (4, 1))
    check_op([(4, 3), PROBS], lambda x, y: F.binary_cross_entropy_with_logits(
        x, y, weight=on_device(w), pos_weight=on_device(pw), reduction=reduction),
        lambda x, y: TF.binary_cross_entropy_with_logits(x, y, weight=torch.tensor(w), pos_weight=torch.tensor(pw),
                                                         reduction=reduction))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.2])
@pytest.mark.parametrize("weighted", [False, True])
def test_cross_entropy_class_indices(reduction, smoothing, weighted):
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    cw, tw = (on_device(W3), torch.tensor(W3)) if weighted else (None, None)
    for target, shape in ((CLASSES, (5, 3)), (CLASSES_IGN, (5, 3)), (CLASSES_2D, (2, 3, 4))):
        check_op([shape, target], lambda x, t: F.cross_entropy(x, t, weight=cw, **kw),
                 lambda x, t: TF.cross_entropy(x, t, weight=tw, **kw))


@pytest.mark.parametrize("reduction", REDUCTIONS)
@pytest.mark.parametrize("smoothing", [0.0, 0.1])
def test_cross_entropy_probabilities(reduction, smoothing):
    kw = dict(reduction=reduction, label_smoothing=smoothing)
    check_op([(5, 3), SOFT], lambda x, t: F.cross_entropy(x, t, **kw), lambda x, t: TF.cross_entropy(x, t, **kw))
    check_op([(5, 3), SOFT], lambda x, t: F.cross_entropy(x, t, weight=on_device(W3), **kw),
             lambda x, t: TF.cross_entropy(x, t, weight=torch.tensor(W3), **kw))


def test_cross_entropy_unbatched():
    check_op([(4,), np.array(2)], F.cross_entropy, TF.cross_entropy)


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_nll_loss(reduction):
    for target, shape in ((CLASSES, (5, 3)), (CLASSES_IGN, (5, 3)), (CLASSES_2D, (2, 3, 4))):
        check_op([shape, target], lambda x, t: F.nll_loss(F.log_softmax(x, 1), t, reduction=reduction),
                 lambda x, t: TF.nll_loss(TF.log_softmax(x, 1), t, reduction=reduction))
        check_op([shape, target], lambda x, t: F.nll_loss(x, t, weight=on_device(W3), reduction=reduction),
                 lambda x, t: TF.nll_loss(x, t, weight=torch.tensor(W3), reduction=reduction))


def test_class_loss_errors_name_the_problem():
    with pytest.raises(IndexError, match=r"Target 3 is out of bounds.*\[0, 3\)"):
        F.cross_entropy(cr.randn(2, 3), cr.tensor([0, 3]))
    with pytest.raises(ValueError, match="target of class indices with shape"):
        F.cross_entropy(cr.randn(2, 3), cr.tensor([0, 1, 2]))
    with pytest.raises(ValueError, match="probabilities"):
        F.cross_entropy(cr.randn(2, 3), cr.tensor([0.0, 1.0]))
    with pytest.raises(ValueError, match="reduction"):
        F.mse_loss(cr.randn(2), cr.randn(2), reduction="avg")


@pytest.mark.parametrize("logit", [1000.0, -1000.0])
def test_losses_stable_at_extreme_logits(logit):
    x = cr.tensor([[logit, 0.0, -logit]], dtype=cr.float64, requires_grad=True)
    for loss in (F.cross_entropy(x, cr.tensor([0])), F.cross_entropy(x, cr.tensor([2])),
                 F.binary_cross_entropy_with_logits(x, cr.tensor([[1.0, 0.0, 0.0]], dtype=cr.float64)),
                 F.nll_loss(F.log_softmax(x, 1), cr.tensor([1]))):
        x.grad = None
        loss.backward()
        assert np.isfinite(loss.item()) and np.isfinite(x.grad.numpy()).all()
    tx = torch.tensor([[logit, 0.0, -logit]], dtype=torch.float64)
    for t in (0, 2):
        np.testing.assert_allclose(F.cross_entropy(x, cr.tensor([t])).item(),
                                   TF.cross_entropy(tx, torch.tensor([t])).item())
    ty = torch.tensor([[1.0, 0.0, 0.0]], dtype=torch.float64)
    np.testing.assert_allclose(
        F.binary_cross_entropy_with_logits(x, cr.tensor(ty.numpy())).item(),
        TF.binary_cross_entropy_with_logits(tx, ty).item())


@pytest.mark.parametrize("reduction", REDUCTIONS)
def test_elementwise_weighted_regression_losses(reduction):
    w = rng.uniform(0.5, 2, (4, 3))
    for name in ("mse_loss", "l1_loss", "huber_loss"):
        ours, theirs = getattr(F, name), getattr(TF, name)
        check_op([(4, 3), (4, 3)], lambda x, y, ours=ours: ours(x, y, reduction=reduction, weight=on_device(w)),
                 lambda x, y, theirs=theirs: theirs(x, y, reduction=reduction, weight=torch.tensor(w)))


def test_float64_or_integer_targets_keep_a_float32_loss():
    x = cr.randn(4, 3, requires_grad=True)
    for loss in (F.mse_loss(x, cr.tensor(np.zeros((4, 3)))), F.binary_cross_entropy_with_logits(x, cr.ones(4, 3,
                 dtype=cr.int64)), F.binary_cross_entropy(F.sigmoid(x), np.ones((4, 3))),
                 F.cross_entropy(x, cr.tensor(SOFT[:4]))):
        x.grad = None
        loss.backward()
        assert loss.dtype == cr.float32 and x.grad.dtype == cr.float32


def test_swapped_class_loss_arguments_are_named():
    with pytest.raises(TypeError, match="swapped"):
        F.cross_entropy(cr.tensor([0, 1]), cr.randn(2, 3))

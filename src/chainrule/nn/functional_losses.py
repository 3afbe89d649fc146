"""Loss functions (torch.nn.functional's names, arguments and reductions), as composites of primitives.

``reduction``: ``'mean'`` (the average over elements; for class losses with weights, the *weighted*
average Σ wᵢℓᵢ / Σ wᵢ, as PyTorch), ``'sum'`` or ``'none'`` (one loss per element / sample).
Numerically stable: cross-entropy goes through the fused log-softmax, BCE-with-logits through the fused
softplus, so logits of ±1000 give finite losses and gradients.
"""

from __future__ import annotations

import warnings

from ..autograd import labelled
from ..engine import Tensor, broadcast_shapes, clamp, log_softmax
from ..engine import tensor as as_tensor_of
from ..engine.autograd import ShownNode
from ..engine.fused import class_nll
from ..engine.fused import mse as _mse
from ..engine.fused import softplus as _softplus

_REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss, reduction, op, denom=None):
    """Apply the reduction; ``denom`` replaces the element count for a weighted mean."""
    if reduction == "mean":
        n = loss.numel() if denom is None else denom
        # a division, as torch's mean (a multiply by 1/n rounds differently)
        return labelled(loss.sum() / (float(n) if n else float("nan")), "MeanBackward0")
    if reduction == "sum":
        return loss.sum()
    if reduction == "none":
        return loss
    raise ValueError(f"{op}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _shape(x):
    return tuple(x.shape) if hasattr(x, "shape") else ()


def _check_target(input, target, op):
    ts = _shape(target)
    if ts != tuple(input.shape):
        try:
            broadcast_shapes(ts, tuple(input.shape))
        except (ValueError, RuntimeError):
            raise ValueError(
                f"{op}: the input has shape {tuple(input.shape)} and the target {ts}; they must have the "
                f"same shape (one prediction per target value)"
            ) from None
        warnings.warn(
            f"{op}: using a target size ({ts}) that is different to the input size ({tuple(input.shape)}). "
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
            "same size.",
            stacklevel=3,
        )


def _const(target, input):
    """A target that needs no gradient, in the input's dtype: float64 or integer labels must not silently
    promote a float32 network's loss (and gradients) to float64."""
    if isinstance(target, Tensor):
        if target.requires_grad or target._array.dtype == input._array.dtype:
            return target
        return target.detach().to(input.dtype)
    return as_tensor_of(target, dtype=input.dtype)


def _diff(input, target):
    """input − target in one node when the target is a constant."""
    if isinstance(target, Tensor) and target.requires_grad:
        return input - target
    return input + (-_const(target, input))


def _elementwise_weighted(loss, weight, reduction, op, mean_by_weight=True):
    """An element-weighted regression loss (torch 2.13's ``weight=``): 'mean' is Σwℓ/Σw for mse and l1
    but the plain mean of wℓ for huber (as in torch)."""
    if weight is None:
        return _reduce(loss, reduction, op)
    if tuple(weight.shape) != tuple(loss.shape):
        raise ValueError(f"{op}: weights and input must have the same size, got {tuple(weight.shape)} and "
                         f"{tuple(loss.shape)}")
    loss = loss * weight
    if reduction != "mean" or not mean_by_weight:
        return _reduce(loss, reduction, op)
    total = loss.sum()
    if isinstance(weight, Tensor) and weight.requires_grad:
        return total * weight.sum() ** -1.0
    return total * (1.0 / float(weight.sum() if isinstance(weight, Tensor) else as_tensor_of(weight).sum()))


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None) -> Tensor:
    """ℓ = (x − y)² (times ``weight`` elementwise if given)."""
    _check_target(input, target, "mse_loss")
    if weight is None and reduction in _REDUCTIONS:
        return _mse(input, _const(target, input), reduction)
    d = _diff(input, target)
    return labelled(_elementwise_weighted(d * d, weight, reduction, "mse_loss"), "MseLossBackward0",
                    (input, target))


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None) -> Tensor:
    """ℓ = |x − y| (the gradient at 0 is 0)."""
    _check_target(input, target, "l1_loss")
    return _elementwise_weighted(_diff(input, target).abs(), weight, reduction, "l1_loss")


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None) -> Tensor:
    """ℓ = ½(x − y)² where |x − y| < δ, else δ(|x − y| − ½δ): quadratic near 0, linear (robust) far away."""
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive (where the loss turns from quadratic to linear), "
                         f"got {delta}")
    _check_target(input, target, "huber_loss")
    d = _diff(input, target)
    a = d.abs()
    quad = d * d * 0.5
    lin = (a + -0.5 * delta) * delta
    loss = quad.where(a < delta, lin)
    return labelled(_elementwise_weighted(loss, weight, reduction, "huber_loss", mean_by_weight=False),
                    "HuberLossBackward0", (input, target))


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0) -> Tensor:
    """ℓ = ½(x − y)²/β where |x − y| < β, else |x − y| − ½β: the Huber loss divided by β (so its slope
    far away is 1, as L1's); β = 0 is the L1 loss."""
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    return labelled(huber_loss(input, target, reduction=reduction, delta=beta) * (1.0 / beta), "SmoothL1LossBackward0",
                    (input, target))


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean") -> Tensor:
    """ℓ = −w·[y·log x + (1 − y)·log(1 − x)], x a probability. Each log is clamped at −100 (PyTorch's
    rule), so x = 0 or 1 gives a finite loss. For logits, use binary_cross_entropy_with_logits."""
    if input.numel() and bool(((input < 0) | (input > 1)).any()):  # (a bool: a captured step can replay it)
        lo, hi = float(input.min()), float(input.max())
        raise ValueError(
            "binary_cross_entropy: all elements of input should be between 0 and 1 (probabilities), got "
            f"values in [{lo:.4g}, {hi:.4g}]; for raw scores (logits) use "
            "binary_cross_entropy_with_logits / BCEWithLogitsLoss"
        )
    _check_target(input, target, "binary_cross_entropy")
    tiny = float(as_tensor_of(-100.0, dtype=input.dtype).exp())  # log(max(x, e⁻¹⁰⁰)) = max(log x, −100)
    log_x = clamp(input, min=tiny).log()
    log_1mx = clamp(-input + 1.0, min=tiny).log()
    target = _const(target, input)
    one_minus_t = 1 - target
    loss = -(log_x * target + log_1mx * one_minus_t)
    if weight is not None:
        loss = loss * weight
    return labelled(_reduce(loss, reduction, "binary_cross_entropy"), "BinaryCrossEntropyBackward0", (input, target))


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None) -> Tensor:
    """BCE on a logit z (σ folded in, stable): ℓ = −w·[p·y·log σ(z) + (1 − y)·log(1 − σ(z))], p = pos_weight.

    With softplus(z) = log(1 + eᶻ) = −log(1 − σ(z)) (a fused overflow-free primitive):
    ℓ = softplus(z) − y·z without pos_weight, else (1 − y)·z + (1 + (p − 1)·y)·softplus(−z).
    The gradient is σ(z) − y (without pos_weight): finite for any z.
    """
    _check_target(input, target, "binary_cross_entropy_with_logits")
    target = _const(target, input)
    if pos_weight is None:
        loss = _softplus(input) + -(input * target)
    else:
        t = target
        lw = t * (pos_weight + -1.0) + 1.0
        one_minus_t = 1 - t
        loss = input * one_minus_t + _softplus(-input) * lw
    if weight is not None:
        loss = loss * weight
    return labelled(_reduce(loss, reduction, "binary_cross_entropy_with_logits"),
                    "BinaryCrossEntropyWithLogitsBackward0", (input, target))


def _check_class_target(input, target, op):
    """Class-index targets: shape (N, d...) for an (N, C, d...) input, () for (C,); values in [0, C) or
    ignore_index (checked by the loss itself, which names the bad value)."""
    x_shape = tuple(input.shape)
    cdim = 1 if len(x_shape) >= 2 else 0
    want = x_shape[:1] + x_shape[2:] if len(x_shape) >= 2 else ()
    if tuple(target.shape) != want:
        raise ValueError(
            f"{op}: input of shape {x_shape} (classes in dim {cdim}) needs a target of class indices "
            f"with shape {want}, got {tuple(target.shape)}"
        )
    return cdim, x_shape[cdim]


def _class_loss(input, target, weight, ignore_index, reduction, label_smoothing, logits, op):
    cdim, n_classes = _check_class_target(input, target, op)
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{op}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")
    t = target._array  # checked on the array: this runs at every step
    bad = (t < 0) | (t >= n_classes)
    if bad.any() and (bad := bad & (t != ignore_index)).any():
        raise IndexError(
            f"{op}: Target {int(t[bad].flatten()[0])} is out of bounds: class indices must be in "
            f"[0, {n_classes}) (the input has {n_classes} classes in dim {cdim}) or equal "
            f"ignore_index={ignore_index}"
        )
    shown = ShownNode("LogSoftmaxBackward0", input) if logits else input  # torch: log_softmax, then nll_loss
    return labelled(class_nll(input, target, weight, ignore_index, reduction, label_smoothing, logits=logits),
                    "NllLossBackward0", (shown,))


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean") -> Tensor:
    """ℓₙ = −w[yₙ]·x[n, yₙ] for log-probabilities x of shape (N, C), (N, C, d...) or (C,); targets equal to
    ``ignore_index`` contribute nothing. 'mean' divides by Σ w[yₙ] over the non-ignored targets."""
    target = target if isinstance(target, Tensor) else as_tensor_of(target)
    if not target.dtype.name.startswith(("int", "uint")):
        raise TypeError(f"nll_loss: the target must hold class indices (int64), got dtype {target.dtype}")
    if not input.is_floating_point() or input.dim() == 0:
        raise TypeError(f"nll_loss: the input must be float log-probabilities of shape (N, C) or (C,), got dtype "
                        f"{input.dtype} and shape {tuple(input.shape)} (are input and target swapped?)")
    return _class_loss(input, target, weight, ignore_index, reduction, 0.0, False, "nll_loss")


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0) -> Tensor:
    """ℓₙ = −Σ_c w_c·t_{n,c}·log softmax(x)_{n,c}, classes in dim 1 (or dim 0 of a (C,) input).

    ``target``: class indices (int64, shape (N,) / (N, d...)), i.e. t = one-hot; or class probabilities
    (float, the input's shape). ``label_smoothing`` ε mixes t with the uniform distribution:
    t ← (1 − ε)·t + ε/C. For class indices 'mean' divides by Σ w[yₙ] over non-ignored targets; for
    probabilities by the number of samples (PyTorch's conventions). log softmax is a fused primitive.
    """
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    if not input.is_floating_point() or input.dim() == 0:
        raise TypeError(f"cross_entropy: the input must be float logits of shape (N, C) or (C,), got dtype "
                        f"{input.dtype} and shape {tuple(input.shape)} (are input and target swapped?)")
    target = target if isinstance(target, Tensor) else as_tensor_of(target)
    if target.is_floating_point():  # class probabilities: a composite
        shape = tuple(input.shape)
        cdim = 1 if len(shape) >= 2 else 0
        n_classes = shape[cdim]
        if tuple(target.shape) != shape:
            raise ValueError(
                f"cross_entropy: a float target holds class probabilities and must have the input's shape "
                f"{shape}, got {tuple(target.shape)}; for class indices pass an int64 tensor"
            )
        t = _const(target, input)
        if label_smoothing > 0:
            t = t * (1.0 - label_smoothing) + label_smoothing / n_classes
        if weight is not None:
            t = t * weight.detach().reshape((n_classes,) + (1,) * (len(shape) - cdim - 1))
        per = -(log_softmax(input, cdim) * t).sum(cdim)
        return _reduce(per, reduction, "cross_entropy", denom=input.numel() // n_classes if input.numel() else 0)
    if not target.dtype.name.startswith(("int", "uint")):
        raise TypeError(f"cross_entropy: the target must be class indices (int64) or probabilities (float), got "
                        f"dtype {target.dtype}")
    return _class_loss(input, target, weight, ignore_index, reduction, label_smoothing, True, "cross_entropy")

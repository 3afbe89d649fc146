"""Loss functions (torch.nn.functional's names, arguments and reductions), as composites of primitives.

``reduction``: ``'mean'`` (the average over elements; for class losses with weights, the *weighted*
average Σ wᵢℓᵢ / Σ wᵢ, as PyTorch), ``'sum'`` or ``'none'`` (one loss per element / sample).
Numerically stable: cross-entropy goes through the fused log-softmax, BCE-with-logits through the fused
softplus, so logits of ±1000 give finite losses and gradients.
"""

from __future__ import annotations

import warnings

from .. import ops as P
from ..backend import xp
from ..tensor import Tensor
from ..tensor_methods import clamp, log_softmax

_REDUCTIONS = ("mean", "sum", "none")


def _reduce(loss, reduction, op, denom=None):
    """Apply the reduction; ``denom`` replaces the element count for a weighted mean."""
    if reduction == "mean":
        n = loss.data.size if denom is None else denom
        return P.Mul.apply(P.Sum.apply(loss, dim=None, keepdim=False), 1.0 / n if n else float("nan"))
    if reduction == "sum":
        return P.Sum.apply(loss, dim=None, keepdim=False)
    if reduction == "none":
        return loss
    raise ValueError(f"{op}: reduction must be one of {_REDUCTIONS}, got {reduction!r}")


def _check_target(input, target, op):
    ts = tuple(xp.shape(target.data if isinstance(target, Tensor) else target))
    if ts != tuple(input.data.shape):
        try:
            xp.broadcast_shapes(ts, input.data.shape)
        except ValueError:
            raise ValueError(
                f"{op}: the input has shape {tuple(input.data.shape)} and the target {ts}; they must have the "
                f"same shape (one prediction per target value)"
            ) from None
        warnings.warn(
            f"{op}: using a target size ({ts}) that is different to the input size ({tuple(input.data.shape)}). "
            "This will likely lead to incorrect results due to broadcasting. Please ensure they have the "
            "same size.",
            stacklevel=3,
        )


def _const(target, input):
    """A target that needs no gradient, as an array of the input's dtype: float64 or integer labels must
    not silently promote a float32 network's loss (and gradients) to float64."""
    if isinstance(target, Tensor):
        if target.requires_grad:
            return target
        target = target.data
    return xp.asarray(target).astype(input.data.dtype, copy=False)


def _diff(input, target):
    """input − target in one node when the target is a constant."""
    if isinstance(target, Tensor) and target.requires_grad:
        return input - target
    t = target.data if isinstance(target, Tensor) else xp.asarray(target)
    return P.Add.apply(input, (-t).astype(input.data.dtype, copy=False))


def _elementwise_weighted(loss, weight, reduction, op, mean_by_weight=True):
    """An element-weighted regression loss (torch 2.13's ``weight=``): 'mean' is Σwℓ/Σw for mse and l1
    but the plain mean of wℓ for huber (as in torch)."""
    if weight is None:
        return _reduce(loss, reduction, op)
    if tuple(weight.shape) != tuple(loss.shape):
        raise ValueError(f"{op}: weights and input must have the same size, got {tuple(weight.shape)} and "
                         f"{tuple(loss.shape)}")
    loss = P.Mul.apply(loss, weight)
    if reduction != "mean" or not mean_by_weight:
        return _reduce(loss, reduction, op)
    total = P.Sum.apply(loss, dim=None, keepdim=False)
    if isinstance(weight, Tensor) and weight.requires_grad:
        return P.Mul.apply(total, P.Pow.apply(P.Sum.apply(weight, dim=None, keepdim=False), -1.0))
    return P.Mul.apply(total, 1.0 / float(xp.sum(weight.data if isinstance(weight, Tensor) else weight)))


def mse_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """ℓ = (x − y)² (times ``weight`` elementwise if given)."""
    _check_target(input, target, "mse_loss")
    d = _diff(input, target)
    return _elementwise_weighted(P.Mul.apply(d, d), weight, reduction, "mse_loss")


def l1_loss(input, target, size_average=None, reduce=None, reduction="mean", weight=None):
    """ℓ = |x − y| (the gradient at 0 is 0)."""
    _check_target(input, target, "l1_loss")
    return _elementwise_weighted(P.Abs.apply(_diff(input, target)), weight, reduction, "l1_loss")


def huber_loss(input, target, reduction="mean", delta=1.0, weight=None):
    """ℓ = ½(x − y)² where |x − y| < δ, else δ(|x − y| − ½δ): quadratic near 0, linear (robust) far away."""
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive (where the loss turns from quadratic to linear), "
                         f"got {delta}")
    _check_target(input, target, "huber_loss")
    d = _diff(input, target)
    a = P.Abs.apply(d)
    quad = P.Mul.apply(P.Mul.apply(d, d), 0.5)
    lin = P.Mul.apply(P.Add.apply(a, -0.5 * delta), delta)
    loss = P.Where.apply(a.data < delta, quad, lin)
    return _elementwise_weighted(loss, weight, reduction, "huber_loss", mean_by_weight=False)


def smooth_l1_loss(input, target, size_average=None, reduce=None, reduction="mean", beta=1.0):
    """ℓ = ½(x − y)²/β where |x − y| < β, else |x − y| − ½β: the Huber loss divided by β (so its slope
    far away is 1, as L1's); β = 0 is the L1 loss."""
    if beta < 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    if beta == 0:
        return l1_loss(input, target, reduction=reduction)
    return P.Mul.apply(huber_loss(input, target, reduction=reduction, delta=beta), 1.0 / beta)


def binary_cross_entropy(input, target, weight=None, size_average=None, reduce=None, reduction="mean"):
    """ℓ = −w·[y·log x + (1 − y)·log(1 − x)], x a probability. Each log is clamped at −100 (PyTorch's
    rule), so x = 0 or 1 gives a finite loss. For logits, use binary_cross_entropy_with_logits."""
    x = input.data
    if x.size and (x.min() < 0 or x.max() > 1):
        raise ValueError(
            "binary_cross_entropy: all elements of input should be between 0 and 1 (probabilities), got "
            f"values in [{x.min():.4g}, {x.max():.4g}]; for raw scores (logits) use "
            "binary_cross_entropy_with_logits / BCEWithLogitsLoss"
        )
    _check_target(input, target, "binary_cross_entropy")
    tiny = float(xp.exp(xp.asarray(-100.0, dtype=x.dtype)))  # log(max(x, e⁻¹⁰⁰)) = max(log x, −100)
    log_x = P.Log.apply(clamp(input, min=tiny))
    log_1mx = P.Log.apply(clamp(P.Add.apply(P.Neg.apply(input), 1.0), min=tiny))
    target = _const(target, input)
    one_minus_t = 1 - target
    loss = P.Neg.apply(P.Add.apply(P.Mul.apply(log_x, target), P.Mul.apply(log_1mx, one_minus_t)))
    if weight is not None:
        loss = P.Mul.apply(loss, weight)
    return _reduce(loss, reduction, "binary_cross_entropy")


def binary_cross_entropy_with_logits(input, target, weight=None, size_average=None, reduce=None,
                                     reduction="mean", pos_weight=None):
    """BCE on a logit z (σ folded in, stable): ℓ = −w·[p·y·log σ(z) + (1 − y)·log(1 − σ(z))], p = pos_weight.

    With softplus(z) = log(1 + eᶻ) = −log(1 − σ(z)) (a fused overflow-free primitive):
    ℓ = softplus(z) − y·z without pos_weight, else (1 − y)·z + (1 + (p − 1)·y)·softplus(−z).
    The gradient is σ(z) − y (without pos_weight): finite for any z.
    """
    _check_target(input, target, "binary_cross_entropy_with_logits")
    target = _const(target, input)
    if pos_weight is None:
        loss = P.Add.apply(P.Softplus.apply(input), P.Neg.apply(P.Mul.apply(input, target)))
    else:
        t = target
        lw = P.Add.apply(P.Mul.apply(t, P.Add.apply(pos_weight, -1.0)), 1.0)
        one_minus_t = 1 - t
        loss = P.Add.apply(P.Mul.apply(input, one_minus_t), P.Mul.apply(P.Softplus.apply(P.Neg.apply(input)), lw))
    if weight is not None:
        loss = P.Mul.apply(loss, weight)
    return _reduce(loss, reduction, "binary_cross_entropy_with_logits")


def _class_weights(input, target, weight, ignore_index, op):
    """For class-index targets: the mask M with M[n, yₙ] = −w[yₙ] (0 where yₙ = ignore_index), shaped like
    the input, so that Σ_c x·M over the class dim is −w[y]·x[y]; and Σ w[yₙ] (the weighted-mean divisor)."""
    x = input.data
    t = target.data if isinstance(target, Tensor) else xp.asarray(target)
    cdim = 1 if x.ndim >= 2 else 0
    n_classes = x.shape[cdim]
    want = x.shape[:1] + x.shape[2:] if x.ndim >= 2 else ()
    if t.shape != want:
        raise ValueError(
            f"{op}: input of shape {tuple(x.shape)} (classes in dim {cdim}) needs a target of class indices "
            f"with shape {tuple(want)}, got {tuple(t.shape)}"
        )
    valid = t != ignore_index
    safe = xp.where(valid, t, 0)
    if ((safe < 0) | (safe >= n_classes)).any():
        bad = t[valid & ((t < 0) | (t >= n_classes))].ravel()[0]
        raise IndexError(
            f"{op}: Target {bad} is out of bounds: class indices must be in [0, {n_classes}) (the input has "
            f"{n_classes} classes in dim {cdim}) or equal ignore_index={ignore_index}"
        )
    w = (weight.data[safe] if weight is not None else xp.ones(t.shape, dtype=x.dtype)) * valid
    mask = xp.zeros(x.shape, dtype=x.dtype)
    xp.put_along_axis(mask, xp.expand_dims(safe, cdim), xp.expand_dims(-w, cdim).astype(x.dtype), axis=cdim)
    return mask, valid, float(w.sum())


def nll_loss(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None, reduction="mean"):
    """ℓₙ = −w[yₙ]·x[n, yₙ] for log-probabilities x of shape (N, C), (N, C, d...) or (C,); targets equal to
    ``ignore_index`` contribute nothing. 'mean' divides by Σ w[yₙ] over the non-ignored targets."""
    if target.data.dtype.kind not in "iu":
        raise TypeError(f"nll_loss: the target must hold class indices (int64), got dtype {target.data.dtype}")
    if input.data.dtype.kind != "f" or input.data.ndim == 0:
        raise TypeError(f"nll_loss: the input must be float log-probabilities of shape (N, C) or (C,), got dtype "
                        f"{input.data.dtype} and shape {tuple(input.data.shape)} (are input and target swapped?)")
    mask, _, wsum = _class_weights(input, target, weight, ignore_index, "nll_loss")
    per = P.Sum.apply(P.Mul.apply(input, mask), dim=(1 if input.data.ndim >= 2 else 0,), keepdim=False)
    return _reduce(per, reduction, "nll_loss", denom=wsum)


def cross_entropy(input, target, weight=None, size_average=None, ignore_index=-100, reduce=None,
                  reduction="mean", label_smoothing=0.0):
    """ℓₙ = −Σ_c w_c·t_{n,c}·log softmax(x)_{n,c}, classes in dim 1 (or dim 0 of a (C,) input).

    ``target``: class indices (int64, shape (N,) / (N, d...)), i.e. t = one-hot; or class probabilities
    (float, the input's shape). ``label_smoothing`` ε mixes t with the uniform distribution:
    t ← (1 − ε)·t + ε/C. For class indices 'mean' divides by Σ w[yₙ] over non-ignored targets; for
    probabilities by the number of samples (PyTorch's conventions). log softmax is a fused primitive.
    """
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must be between 0.0 and 1.0, got {label_smoothing}")
    x = input.data
    if x.dtype.kind != "f" or x.ndim == 0:
        raise TypeError(f"cross_entropy: the input must be float logits of shape (N, C) or (C,), got dtype "
                        f"{x.dtype} and shape {tuple(x.shape)} (are input and target swapped?)")
    cdim = 1 if x.ndim >= 2 else 0
    n_classes = x.shape[cdim]
    logp = log_softmax(input, cdim)
    wshape = (n_classes,) + (1,) * (x.ndim - cdim - 1)
    tdata = target.data if isinstance(target, Tensor) else xp.asarray(target)
    if tdata.dtype.kind == "f":  # class probabilities
        if tdata.shape != x.shape:
            raise ValueError(
                f"cross_entropy: a float target holds class probabilities and must have the input's shape "
                f"{tuple(x.shape)}, got {tuple(tdata.shape)}; for class indices pass an int64 tensor"
            )
        t = _const(target, input)
        if label_smoothing > 0:
            t = P.Add.apply(P.Mul.apply(t, 1.0 - label_smoothing), label_smoothing / n_classes)
        if weight is not None:
            t = P.Mul.apply(t, weight.data.reshape(wshape))
        per = P.Neg.apply(P.Sum.apply(P.Mul.apply(logp, t), dim=(cdim,), keepdim=False))
        return _reduce(per, reduction, "cross_entropy", denom=x.size // n_classes if x.size else 0)
    if tdata.dtype.kind not in "iu":
        raise TypeError(f"cross_entropy: the target must be class indices (int64) or probabilities (float), got "
                        f"dtype {tdata.dtype}")
    mask, valid, wsum = _class_weights(input, target, weight, ignore_index, "cross_entropy")
    if label_smoothing > 0:
        # smoothing term −(ε/C)·Σ_c w_c·log p_c per non-ignored sample, folded into the same mask
        w = weight.data.reshape(wshape) if weight is not None else 1.0
        smooth = -w * xp.expand_dims(valid, cdim)
        mask = (1 - label_smoothing) * mask + (label_smoothing / n_classes) * smooth
        mask = mask.astype(x.dtype, copy=False)
    per = P.Sum.apply(P.Mul.apply(logp, mask), dim=(cdim,), keepdim=False)
    return _reduce(per, reduction, "cross_entropy", denom=wsum)

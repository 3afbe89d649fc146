"""Metrics: accuracy, confusion matrix, R², RMSE (and MAE) — as functions and as streaming objects.

The functions take whole arrays (NumPy or chainrule Tensors). The ``Metric`` classes accumulate over
batches, so ``fit`` measures a whole epoch without keeping its outputs: ``reset()``, ``update(output,
target)`` once per batch (raw NumPy arrays: no graph, no Tensor allocation), ``compute()`` → float.

What a network's *output* means for classification (``accuracy``, ``ConfusionMatrix``):

* shape (n, k) with k ≥ 2: scores (logits or probabilities) for k classes; the prediction is the argmax;
* shape (n,) or (n, 1) of floats: the logit of class 1 (as ``BCEWithLogitsLoss`` expects); the prediction
  is 1 where the logit is > ``threshold`` (0, i.e. probability > 0.5);
* an integer array: already predicted class indices.

Targets are class indices (ints, or floats holding whole numbers, shape (n,) or (n, 1)).
"""

from __future__ import annotations

import math

import numpy as np

from ..engine import Tensor

__all__ = ["accuracy", "confusion_matrix", "r2_score", "rmse", "mae", "predicted_classes",
           "Metric", "Accuracy", "RMSE", "MAE", "R2", "MeanMetric", "SklearnMetric", "get_metric", "METRICS"]


def _np(x):
    return x.detach().cpu().numpy() if isinstance(x, Tensor) else np.asarray(x)


def predicted_classes(output, threshold=0.0):
    """Class indices predicted by ``output`` (see the module docstring for the accepted shapes)."""
    out = _np(output)
    if out.dtype.kind in "iub":
        return out.reshape(-1).astype(np.int64)
    if out.ndim == 2 and out.shape[1] >= 2:
        return out.argmax(axis=1)
    if out.ndim == 1 or (out.ndim == 2 and out.shape[1] == 1):
        return (out.reshape(-1) > threshold).astype(np.int64)
    raise ValueError(f"classification output must have shape (n, k), (n, 1) or (n,); got {out.shape}")


def _labels(target, n, what):
    t = _np(target).reshape(-1)
    if t.shape[0] != n:
        raise ValueError(f"{what}: {n} predictions but {t.shape[0]} targets; they must match one to one")
    return t.astype(np.int64, copy=False) if t.dtype.kind == "f" else t


def accuracy(output, target, threshold=0.0):
    """Fraction of samples whose predicted class equals the target: (1/n) Σᵢ [ŷᵢ = yᵢ]."""
    pred = predicted_classes(output, threshold)
    return float(np.mean(pred == _labels(target, pred.shape[0], "accuracy"))) if pred.size else math.nan


def confusion_matrix(target, output, num_classes=None, threshold=0.0):
    """C[i, j] = number of samples of true class i predicted as class j (scikit-learn's layout: rows are
    the truth). ``output`` may be scores or predicted labels; ``num_classes`` defaults to 1 + the largest
    class seen (and to the number of score columns)."""
    pred = predicted_classes(output, threshold)
    true = _labels(target, pred.shape[0], "confusion_matrix")
    out = _np(output)
    k = num_classes
    if k is None:
        k = max(int(true.max(initial=-1)), int(pred.max(initial=-1))) + 1
        if out.ndim == 2 and out.shape[1] >= 2 and out.dtype.kind == "f":
            k = max(k, out.shape[1])
        k = max(k, 2)
    if true.size and (true.min() < 0 or true.max() >= k):
        raise ValueError(f"confusion_matrix: targets must be class indices in 0..{k - 1}, got "
                         f"{int(true.min())}..{int(true.max())}")
    return np.bincount(true * k + pred, minlength=k * k).reshape(k, k)


def _pair(y_true, y_pred, what):
    t, p = _np(y_true).astype(np.float64), _np(y_pred).astype(np.float64)
    if t.size != p.size:
        raise ValueError(f"{what}: y_true has {t.size} values, y_pred {p.size}; they must match one to one")
    # (n,) against (n, 1) is the same thing; anything else keeps its columns (multi-output)
    return t.reshape(t.shape[0], -1) if t.ndim else t.reshape(1, 1), p.reshape(t.shape[0] if t.ndim else 1, -1)


def rmse(y_true, y_pred):
    """Root mean squared error √((1/n) Σ (yᵢ − ŷᵢ)²), over all values."""
    t, p = _pair(y_true, y_pred, "rmse")
    return float(np.sqrt(np.mean((t - p) ** 2)))


def mae(y_true, y_pred):
    """Mean absolute error (1/n) Σ |yᵢ − ŷᵢ|."""
    t, p = _pair(y_true, y_pred, "mae")
    return float(np.mean(np.abs(t - p)))


def _r2(sse, sum_y, sum_y2, n):
    # R² = 1 − SS_res/SS_tot per output column, averaged (scikit-learn's "uniform_average"); a constant
    # target has SS_tot = 0: R² is 1 for a perfect fit and 0 otherwise, as scikit-learn does
    ss_tot = sum_y2 - sum_y * sum_y / n
    with np.errstate(divide="ignore", invalid="ignore"):
        r2 = np.where(ss_tot > 0, 1.0 - sse / np.where(ss_tot > 0, ss_tot, 1.0), np.where(sse == 0, 1.0, 0.0))
    return float(np.mean(r2))


def r2_score(y_true, y_pred):
    """Coefficient of determination R² = 1 − Σ(yᵢ − ŷᵢ)² / Σ(yᵢ − ȳ)² (per output, then averaged)."""
    t, p = _pair(y_true, y_pred, "r2_score")
    mean = t.mean(axis=0)
    return _r2(((t - p) ** 2).sum(0), 0.0, ((t - mean) ** 2).sum(0), 1.0)


# ------------------------------------------------------------------------------------- streaming
class Metric:
    """A metric accumulated over batches. ``higher_is_better`` tells EarlyStopping which way is good."""

    name = "metric"
    higher_is_better = True

    def reset(self) -> None:
        raise NotImplementedError

    def update(self, output, target) -> None:
        raise NotImplementedError

    def compute(self) -> float:
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"


class Accuracy(Metric):
    """Running accuracy: correct predictions / samples seen."""

    name = "accuracy"

    def __init__(self, threshold=0.0) -> None:
        self.threshold = threshold
        self.reset()

    def reset(self) -> None:
        self.correct = 0
        self.total = 0

    def update(self, output, target) -> None:
        pred = predicted_classes(output, self.threshold)
        self.correct += int(np.count_nonzero(pred == _labels(target, pred.shape[0], "accuracy")))
        self.total += pred.shape[0]

    def compute(self) -> float:
        return self.correct / self.total if self.total else math.nan


class _Regression(Metric):
    higher_is_better = False

    def reset(self) -> None:
        self.n = 0
        self.sse = self.sae = self.sum_y = self.sum_y2 = 0.0

    def __init__(self) -> None:
        self.reset()

    def update(self, output, target) -> None:
        t, p = _pair(target, output, self.name)
        d = t - p
        self.n += t.shape[0]
        self.sse = self.sse + (d * d).sum(0)
        self.sae = self.sae + np.abs(d).sum(0)
        self.sum_y = self.sum_y + t.sum(0)
        self.sum_y2 = self.sum_y2 + (t * t).sum(0)


class RMSE(_Regression):
    """Running root mean squared error over all outputs."""

    name = "rmse"

    def compute(self) -> float:
        return float(np.sqrt(np.mean(self.sse) / self.n)) if self.n else math.nan


class MAE(_Regression):
    """Running mean absolute error over all outputs."""

    name = "mae"

    def compute(self) -> float:
        return float(np.mean(self.sae) / self.n) if self.n else math.nan


class R2(_Regression):
    """Running R² from the sums Σy, Σy², Σ(y − ŷ)² (exact: SS_tot = Σy² − (Σy)²/n)."""

    name = "r2"
    higher_is_better = True

    def compute(self) -> float:
        return _r2(self.sse, self.sum_y, self.sum_y2, self.n) if self.n else math.nan


class MeanMetric(Metric):
    """Wraps a function ``fn(output, target) -> float`` as a batch-size-weighted mean over an epoch."""

    def __init__(self, fn, name=None, higher_is_better=True) -> None:
        self.fn, self.name, self.higher_is_better = fn, name or getattr(fn, "__name__", "metric"), higher_is_better
        self.reset()

    def reset(self) -> None:
        self.total = 0.0
        self.n = 0

    def update(self, output, target) -> None:
        n = len(output)
        self.total += float(self.fn(output, target)) * n
        self.n += n

    def compute(self) -> float:
        return self.total / self.n if self.n else math.nan


class SklearnMetric(Metric):
    """A scikit-learn metric ``fn(y_true, y_pred)`` (``sklearn.metrics.f1_score``, ``mean_squared_error``, a
    ``functools.partial`` of one, ...) computed once on the whole epoch, not averaged over batches.

    ``y_pred`` is what the function expects of a network's output: class labels (``predicted_classes``) for
    the classification metrics, the values for the regression ones, and scores for the ranking ones
    (``roc_auc_score``: the probability of class 1, or every class's for k > 2). ``kind`` ("labels",
    "values" or "scores") overrides what the function's module says. Targets are passed as they are."""

    def __init__(self, fn, name=None, kind=None) -> None:
        base = getattr(fn, "func", fn)  # functools.partial(f1_score, average="macro")
        self.fn, self.name = fn, name or getattr(base, "__name__", "metric")
        module = getattr(base, "__module__", "") or ""
        self.kind = kind or ("values" if module.endswith("_regression") else
                             "scores" if module.endswith("_ranking") else "labels")
        if self.kind not in ("labels", "values", "scores"):
            raise ValueError(f"kind must be 'labels', 'values' or 'scores', got {kind!r}")
        self.higher_is_better = not self.name.endswith(("_error", "_loss", "_deviance"))
        self.reset()

    def reset(self) -> None:
        self.y_true, self.y_pred = [], []

    def update(self, output, target) -> None:
        out = _np(output)
        if self.kind == "labels":
            pred = predicted_classes(out)
        elif self.kind == "values":
            pred = out.reshape(len(out), -1)[:, 0] if out.ndim == 2 and out.shape[1] == 1 else out
        else:  # scores: probabilities from logits, as predict_proba would give them
            z = out.reshape(len(out), -1).astype(np.float64)
            if z.shape[1] == 1:
                pred = 1.0 / (1.0 + np.exp(-z[:, 0]))
            else:
                e = np.exp(z - z.max(axis=1, keepdims=True))
                pred = e / e.sum(axis=1, keepdims=True)
                pred = pred[:, 1] if pred.shape[1] == 2 else pred
        t = _np(target)
        self.y_true.append(t.reshape(-1) if t.ndim == 2 and t.shape[1] == 1 else t)
        self.y_pred.append(pred)

    def compute(self) -> float:
        if not self.y_true:
            return math.nan
        y_true = np.concatenate(self.y_true)
        if self.kind == "labels" and y_true.dtype.kind == "f":
            y_true = y_true.astype(np.int64)  # float targets holding class indices (BCE's 0./1.)
        return float(self.fn(y_true, np.concatenate(self.y_pred)))


def is_sklearn_metric(fn) -> bool:
    """Is ``fn`` (or the function a ``functools.partial`` wraps) one of ``sklearn.metrics``?"""
    return (getattr(getattr(fn, "func", fn), "__module__", "") or "").startswith("sklearn.metrics")


METRICS = {"accuracy": Accuracy, "acc": Accuracy, "rmse": RMSE, "mae": MAE, "r2": R2}


def get_metric(spec):
    """A fresh ``Metric`` from a name (``"accuracy"``, ``"rmse"``, ``"mae"``, ``"r2"``), a Metric instance,
    a function of ``sklearn.metrics`` (``fn(y_true, y_pred)`` on labels: a ``SklearnMetric``), or a plain
    function ``fn(output, target) -> float`` (averaged over batches, weighted by batch size)."""
    if isinstance(spec, Metric):
        return spec
    if isinstance(spec, str):
        try:
            return METRICS[spec.lower()]()
        except KeyError:
            raise ValueError(f"unknown metric {spec!r}; known metrics: {', '.join(METRICS)} "
                             f"(or pass a Metric or a function fn(output, target) -> float)") from None
    if callable(spec):
        return SklearnMetric(spec) if is_sklearn_metric(spec) else MeanMetric(spec)
    raise TypeError(f"a metric must be a name, a Metric or a function, got {type(spec).__name__}")

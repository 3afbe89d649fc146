"""Toy 2-D data: TensorFlow Playground's six generators, three multi-class sets and the input feature maps.

The six playground sets follow TensorFlow Playground's ``dataset.ts`` (tensorflow/playground): the same
point counts, radii, padding, noise semantics and labels, so a network that solves a set there solves it
here. Labels are ±1 for classification (as in TF) and a number in [-1, 1] for regression; ``load()`` maps
±1 to the class indices 0/1. ``noise`` is the playground's slider divided by 100 (TF: 0 … 0.5).

Differences from TF, on purpose:

- every generator takes a ``seed`` (None → chainrule's default generator, seeded by ``manual_seed``; an
  int; a ``numpy.random.Generator``) instead of a global ``Math.random``;
- points are returned shuffled (TF shuffles right after generating; pass ``shuffle=False`` for TF's
  generation order: all of one class, then the other);
- an odd ``n_samples`` gives exactly ``n_samples`` points (TF's ``i < n/2`` loops would give one more).
"""

from __future__ import annotations

import math
from collections import OrderedDict

import numpy as np

from ..engine.rng import as_rng

__all__ = ["circle", "xor", "gaussian", "spiral", "plane", "multi_gaussian", "moons", "spiral_k", "blobs",
           "FEATURES", "feature_map"]


# ------------------------------------------------------------------------------------------ checks
def _check_n(fn, n_samples, minimum=1):
    if isinstance(n_samples, bool) or not isinstance(n_samples, (int, np.integer)) or n_samples < minimum:
        raise ValueError(f"{fn}: n_samples must be an int >= {minimum}, got {n_samples!r}")
    return int(n_samples)


def _check_noise(fn, noise):
    """TF's slider goes 0…50 and passes noise/100; values above 1 are almost surely a forgotten /100."""
    if isinstance(noise, bool) or not isinstance(noise, (int, float, np.floating)) or not 0 <= noise <= 1:
        raise ValueError(
            f"{fn}: noise is a fraction in [0, 1] (TensorFlow Playground's slider/100, 0 … 0.5), "
            f"got {noise!r}"
        )
    return float(noise)


def _check_classes(fn, n_classes, n_samples):
    if isinstance(n_classes, bool) or not isinstance(n_classes, (int, np.integer)) or n_classes < 2:
        raise ValueError(f"{fn}: n_classes must be an int >= 2, got {n_classes!r}")
    if n_samples < n_classes:
        raise ValueError(f"{fn}: n_samples ({n_samples}) must be at least n_classes ({n_classes})")
    return int(n_classes)


def _halves(n):
    """(positives, negatives): n/2 each, the extra point of an odd n goes to the positive class."""
    return n - n // 2, n // 2


def _class_sizes(n, k):
    return [n // k + (j < n % k) for j in range(k)]


def _finish(X, y, rng, shuffle):
    if shuffle:
        p = rng.permutation(len(y))
        X, y = X[p], y[p]
    return np.ascontiguousarray(X, dtype=np.float64), np.ascontiguousarray(y, dtype=np.float64)


def _uniform(rng, lo, hi, n):
    return rng.uniform(lo, hi, n)


# ---------------------------------------------------------------------- TensorFlow Playground's six
def circle(n_samples=500, noise=0.0, seed=None, *, shuffle=True):
    """A disc (label +1) inside a ring (label −1).

    Positives: radius r ~ U(0, 2.5), angle a ~ U(0, 2π) (uniform in r, so denser near the centre, as in
    TF); negatives: r ~ U(3.5, 5). The point is (r·sin a, r·cos a). Noise does not move the point: the label
    is decided at the point shifted by U(−5, 5)·noise per coordinate, +1 if that lies within radius 2.5 —
    so near the edge labels flip while the points stay where they were.
    """
    n = _check_n("circle", n_samples)
    noise = _check_noise("circle", noise)
    rng = as_rng(seed)
    n_pos, n_neg = _halves(n)
    r = np.concatenate([_uniform(rng, 0.0, 2.5, n_pos), _uniform(rng, 3.5, 5.0, n_neg)])
    angle = _uniform(rng, 0.0, 2 * math.pi, n)
    X = np.stack([r * np.sin(angle), r * np.cos(angle)], axis=1)
    shifted = X + _uniform(rng, -5.0, 5.0, (n, 2)) * noise
    y = np.where(np.hypot(shifted[:, 0], shifted[:, 1]) < 2.5, 1.0, -1.0)
    return _finish(X, y, rng, shuffle)


def xor(n_samples=500, noise=0.0, seed=None, *, shuffle=True):
    """Four quadrants: label sign(x·y) (+1 where x·y ≥ 0).

    x, y ~ U(−5, 5), each pushed 0.3 away from its axis (padding: +0.3 if positive, else −0.3), so the
    quadrants are separated by a gap at noise 0. The label is computed at the point shifted by
    U(−5, 5)·noise per coordinate; the point itself is not moved.
    """
    n = _check_n("xor", n_samples)
    noise = _check_noise("xor", noise)
    rng = as_rng(seed)
    X = _uniform(rng, -5.0, 5.0, (n, 2))
    X += np.where(X > 0, 0.3, -0.3)
    shifted = X + _uniform(rng, -5.0, 5.0, (n, 2)) * noise
    y = np.where(shifted[:, 0] * shifted[:, 1] >= 0, 1.0, -1.0)
    return _finish(X, y, rng, shuffle)


def gaussian(n_samples=500, noise=0.0, seed=None, *, shuffle=True):
    """Two Gaussian blobs: centre (2, 2) → +1, centre (−2, −2) → −1.

    Noise sets the spread: variance = 0.5 + 7·noise (TF maps noise 0…0.5 linearly onto variance 0.5…4);
    each coordinate is N(centre, variance). Labels never flip.
    """
    n = _check_n("gaussian", n_samples)
    noise = _check_noise("gaussian", noise)
    rng = as_rng(seed)
    std = math.sqrt(0.5 + 7.0 * noise)
    n_pos, n_neg = _halves(n)
    centres = np.repeat(np.array([[2.0, 2.0], [-2.0, -2.0]]), [n_pos, n_neg], axis=0)
    X = centres + rng.normal(0.0, std, (n, 2))
    y = np.repeat([1.0, -1.0], [n_pos, n_neg])
    return _finish(X, y, rng, shuffle)


def _arm(m, delta, noise, rng):
    """One spiral arm of m points: r = 5·i/m, t = 1.75·2π·i/m + delta, (r·sin t, r·cos t) + U(−1,1)·noise."""
    i = np.arange(m)
    r = 5.0 * i / m
    t = 1.75 * 2 * math.pi * i / m + delta
    X = np.stack([r * np.sin(t), r * np.cos(t)], axis=1)
    return X + _uniform(rng, -1.0, 1.0, (m, 2)) * noise


def spiral(n_samples=500, noise=0.0, seed=None, *, shuffle=True):
    """Two interleaved spiral arms offset by π: arm 0 → +1, arm π → −1.

    For i = 0 … m−1 (m = n/2 points per arm): r = 5·i/m, t = 1.75·2π·i/m + delta; the point is
    (r·sin t, r·cos t), moved by U(−1, 1)·noise per coordinate (here noise moves the points themselves).
    """
    n = _check_n("spiral", n_samples)
    noise = _check_noise("spiral", noise)
    rng = as_rng(seed)
    n_pos, n_neg = _halves(n)
    X = np.concatenate([_arm(n_pos, 0.0, noise, rng), _arm(n_neg, math.pi, noise, rng)])
    y = np.repeat([1.0, -1.0], [n_pos, n_neg])
    return _finish(X, y, rng, shuffle)


def _regression_inputs(n, noise, rng):
    """TF's regression sets: x, y ~ U(−6, 6); the target is read at the point + U(−6, 6)·noise."""
    X = _uniform(rng, -6.0, 6.0, (n, 2))
    return X, X + _uniform(rng, -6.0, 6.0, (n, 2)) * noise


def plane(n_samples=1200, noise=0.0, seed=None, *, shuffle=True):
    """Regression on a tilted plane: target = (x + y)/10 at the noise-shifted point (±1.2 at noise 0)."""
    n = _check_n("plane", n_samples)
    noise = _check_noise("plane", noise)
    rng = as_rng(seed)
    X, shifted = _regression_inputs(n, noise, rng)
    y = (shifted[:, 0] + shifted[:, 1]) / 10.0
    return _finish(X, y, rng, shuffle)


# Centre x, centre y, sign: a 3×2 checkerboard of bumps.
_BUMPS = np.array([[-4, 2.5, 1], [0, 2.5, -1], [4, 2.5, 1], [-4, -2.5, -1], [0, -2.5, 1], [4, -2.5, -1]],
                  dtype=np.float64)


def multi_gaussian(n_samples=1200, noise=0.0, seed=None, *, shuffle=True):
    """Regression on six signed bumps at (±4 or 0, ±2.5) with alternating signs.

    Each bump contributes sign·clamp(1 − d/2, 0, 1), d the distance to its centre; the target is the
    contribution with the largest absolute value (the first bump wins a tie; 0 far from all bumps),
    evaluated at the noise-shifted point.
    """
    n = _check_n("multi_gaussian", n_samples)
    noise = _check_noise("multi_gaussian", noise)
    rng = as_rng(seed)
    X, shifted = _regression_inputs(n, noise, rng)
    d = np.hypot(shifted[:, None, 0] - _BUMPS[:, 0], shifted[:, None, 1] - _BUMPS[:, 1])  # (n, 6)
    bumps = _BUMPS[:, 2] * np.clip(1.0 - d / 2.0, 0.0, 1.0)
    y = bumps[np.arange(n), np.argmax(np.abs(bumps), axis=1)]  # argmax takes the first of equal maxima
    return _finish(X, y, rng, shuffle)


# ------------------------------------------------------------------------------------- multi-class
def moons(n_samples=500, noise=0.1, seed=None, *, shuffle=True):
    """Two interleaving half circles (scikit-learn's ``make_moons``), labels 0 (upper) and 1 (lower).

    Upper moon (cos t, sin t), lower moon (1 − cos t, 0.5 − sin t), t evenly spaced in [0, π]; Gaussian
    noise of std ``noise`` is added in these units (as scikit-learn does). The result is then centred and
    scaled by 2.5, so it fills the playground's [−6, 6]² view like the other sets.
    """
    n = _check_n("moons", n_samples, 2)
    noise = _check_noise("moons", noise)
    rng = as_rng(seed)
    n_up, n_low = _halves(n)
    t_up, t_low = np.linspace(0, math.pi, n_up), np.linspace(0, math.pi, n_low)
    X = np.concatenate([np.stack([np.cos(t_up), np.sin(t_up)], 1),
                        np.stack([1 - np.cos(t_low), 0.5 - np.sin(t_low)], 1)])
    X = (X + rng.normal(0.0, noise, X.shape) - [0.5, 0.25]) * 2.5
    y = np.repeat([0.0, 1.0], [n_up, n_low])
    return _finish(X, y, rng, shuffle)


def spiral_k(n_classes=3, n_samples=500, noise=0.0, seed=None, *, shuffle=True):
    """k interleaved spiral arms (the playground's spiral, generalised), labels 0 … k−1.

    Arm j is the playground spiral turned by 2π·j/k: r = 5·i/m, t = 1.75·2π·i/m + 2π·j/k, moved by
    U(−1, 1)·noise per coordinate. With k = 2 it is ``spiral`` with labels 0 (arm 0) and 1 (arm π).
    """
    n = _check_n("spiral_k", n_samples)
    k = _check_classes("spiral_k", n_classes, n)
    noise = _check_noise("spiral_k", noise)
    rng = as_rng(seed)
    sizes = _class_sizes(n, k)
    X = np.concatenate([_arm(m, 2 * math.pi * j / k, noise, rng) for j, m in enumerate(sizes)])
    y = np.repeat(np.arange(k, dtype=np.float64), sizes)
    return _finish(X, y, rng, shuffle)


def blobs(n_classes=3, n_samples=500, noise=0.0, seed=None, *, shuffle=True):
    """k Gaussian blobs with centres evenly spaced on the circle of radius 3.5, labels 0 … k−1.

    Centre j = 3.5·(cos 2πj/k, sin 2πj/k); the spread follows ``gaussian``: variance 0.5 + 7·noise.
    """
    n = _check_n("blobs", n_samples)
    k = _check_classes("blobs", n_classes, n)
    noise = _check_noise("blobs", noise)
    rng = as_rng(seed)
    sizes = _class_sizes(n, k)
    angle = 2 * math.pi * np.arange(k) / k
    centres = 3.5 * np.stack([np.cos(angle), np.sin(angle)], axis=1)
    X = np.repeat(centres, sizes, axis=0) + rng.normal(0.0, math.sqrt(0.5 + 7.0 * noise), (n, 2))
    y = np.repeat(np.arange(k, dtype=np.float64), sizes)
    return _finish(X, y, rng, shuffle)


# ------------------------------------------------------------------------------------ feature maps
FEATURES = OrderedDict([
    ("x1", lambda X: X[:, 0]),
    ("x2", lambda X: X[:, 1]),
    ("x1^2", lambda X: X[:, 0] ** 2),
    ("x2^2", lambda X: X[:, 1] ** 2),
    ("x1*x2", lambda X: X[:, 0] * X[:, 1]),  # the feature that makes XOR linearly separable
    ("sin(x1)", lambda X: np.sin(X[:, 0])),
    ("sin(x2)", lambda X: np.sin(X[:, 1])),
])
"""The playground's input features for 2-D points (in TF's order): name → function of X (n, 2)."""


def feature_map(X, names=("x1", "x2")):
    """The columns ``[FEATURES[name](X) for name in names]`` as an (n, len(names)) array.

    ``X`` is (n, 2) points; ``names`` a sequence of keys of ``FEATURES`` (a single name is allowed).
    """
    X = np.asarray(X)
    if X.ndim != 2 or X.shape[1] != 2:
        raise ValueError(f"feature_map expects 2-D points of shape (n, 2), got shape {X.shape}")
    if X.dtype.kind not in "fiu":
        raise ValueError(f"feature_map expects numbers, got an array of dtype {X.dtype}")
    if isinstance(names, str):
        names = [names]
    names = list(names)
    if not names:
        raise ValueError(f"feature_map needs at least one feature name; allowed: {', '.join(FEATURES)}")
    unknown = [n for n in names if n not in FEATURES]
    if unknown:
        raise ValueError(
            f"feature_map: unknown feature {unknown[0]!r}; allowed names: {', '.join(FEATURES)}"
        )
    X = X.astype(np.float64, copy=False) if X.dtype.kind != "f" else X
    return np.stack([FEATURES[n](X) for n in names], axis=1)

"""Transforms: ``Standardize`` (fit on the training data, apply anywhere, invert) and the augmentations
for the 8×8 digit images (``RandomShift``, ``GaussianNoise``), plus ``Compose``.

Every transform takes a NumPy array or a chainrule Tensor and gives back the same kind. The augmentations
work on one sample or on a whole batch at once (vectorised: no per-sample Python loop) and draw from a
``generator`` (None → chainrule's default, so ``chainrule.manual_seed`` makes them repeatable).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..engine import Tensor
from ..engine.rng import as_rng

__all__ = ["Standardize", "RandomShift", "GaussianNoise", "Compose"]


def _unwrap(x):
    return (x.numpy(), True) if isinstance(x, Tensor) else (np.asarray(x), False)


def _keep_generator(generator):
    """An int seed becomes one stream now (successive calls differ, the sequence repeats); None and
    generators are kept as they are and read at call time, so a later ``manual_seed`` takes effect."""
    rng = as_rng(generator)  # validates the type
    return rng if isinstance(generator, int) else generator


def _rewrap(arr, was_tensor):
    if not was_tensor:
        return arr
    from ..engine import from_numpy

    return from_numpy(np.ascontiguousarray(arr))


class Standardize:
    """Per-feature standardisation z = (x − mean) / std, with mean and std fitted on training data only.

    ``fit(X)`` computes mean and (population, ddof = 0, as scikit-learn's StandardScaler) std over the
    samples (axis 0) for every feature. A constant feature has std 0: it is given std 1, so it becomes 0
    rather than NaN. ``transform``/``__call__`` applies, ``inverse_transform`` undoes it:
    x = z·std + mean. On a Tensor the arithmetic is recorded by autograd (the statistics are constants).
    """

    def __init__(self, mean=None, std=None) -> None:
        self.mean = None if mean is None else np.asarray(mean, dtype=np.float64)
        self.std = None if std is None else np.asarray(std, dtype=np.float64)
        if (self.mean is None) != (self.std is None):
            raise ValueError("Standardize: give both mean and std, or neither (then call fit)")
        if self.std is not None and (self.std.shape != self.mean.shape or np.any(self.std <= 0)):
            raise ValueError(
                f"Standardize: std must be positive and shaped like mean {self.mean.shape}, "
                f"got shape {self.std.shape}"
            )

    def fit(self, X):
        """Learn each feature's mean μ and population std σ (ddof 0) from the samples X (axis 0); returns self."""
        X, _ = _unwrap(X)
        if X.ndim < 1 or X.shape[0] == 0:
            raise ValueError(f"Standardize.fit needs at least one sample, got an array of shape {X.shape}")
        X = X.astype(np.float64)
        self.mean = X.mean(axis=0)
        std = X.std(axis=0)
        self.std = np.where(std > 0, std, 1.0)  # constant feature: centre it, don't divide by 0
        return self

    def _check(self, x, what):
        if self.mean is None:
            raise RuntimeError(f"Standardize.{what}: call fit(X_train) first (or pass mean and std)")
        if x.shape[1:] != self.mean.shape:
            raise ValueError(
                f"Standardize.{what}: expected samples of shape {self.mean.shape} (as fitted), "
                f"got an array of shape {tuple(x.shape)}"
            )

    def transform(self, x):
        """z = (x − μ) / σ per feature (recorded by autograd on a Tensor; μ, σ are constants)."""
        self._check(x if isinstance(x, Tensor) else np.asarray(x), "transform")
        return self._apply(x, lambda a, m, s: (a - m) / s)

    __call__ = transform

    def inverse_transform(self, z):
        """x = z·σ + μ: undo ``transform``."""
        self._check(z if isinstance(z, Tensor) else np.asarray(z), "inverse_transform")
        return self._apply(z, lambda a, m, s: a * s + m)

    inverse = inverse_transform

    def fit_transform(self, X):
        """``fit(X)`` then ``transform(X)``."""
        return self.fit(X).transform(X)

    def _apply(self, x, f):
        if isinstance(x, Tensor):  # keep the tensor's dtype (float32 data stays float32)
            if not x.is_floating_point():
                x = x.float()
            dt = x.numpy().dtype
            return f(x, self.mean.astype(dt), self.std.astype(dt))
        x = np.asarray(x)
        dt = x.dtype if x.dtype.kind == "f" else np.float64
        return f(x.astype(dt, copy=False), self.mean.astype(dt), self.std.astype(dt))

    def state_dict(self):
        """{'mean': μ, 'std': σ} as arrays (None before fit), for a checkpoint."""
        return {"mean": None if self.mean is None else self.mean.copy(),
                "std": None if self.std is None else self.std.copy()}

    def load_state_dict(self, state):
        """Restore μ and σ from ``state_dict()``'s output."""
        self.__init__(state["mean"], state["std"])

    def __repr__(self) -> str:
        n = "unfitted" if self.mean is None else f"{self.mean.size} features"
        return f"Standardize({n})"


class RandomShift:
    """Shift each image by a random whole number of pixels in [−max_shift, max_shift] along each axis.

    Pixels moved in from outside are ``fill`` (0: the digits' background); content moved out is lost.
    Works on one flat image (H·W,), a batch of flat images (n, H·W), or images shaped (…, H, W); the
    shift (dy, dx) is drawn independently for each image: out[i, r + dy, c + dx] = x[i, r, c].
    """

    def __init__(self, max_shift=1, image_shape=(8, 8), fill=0.0, generator=None) -> None:
        if isinstance(max_shift, bool) or not isinstance(max_shift, (int, np.integer)) or max_shift < 0:
            raise ValueError(f"RandomShift: max_shift must be a non-negative int, got {max_shift!r}")
        self.max_shift, self.image_shape, self.fill = int(max_shift), tuple(image_shape), float(fill)
        self.generator = _keep_generator(generator)

    def __call__(self, x, generator=None) -> Any:
        arr, was_tensor = _unwrap(x)
        H, W = self.image_shape
        if arr.shape[-2:] != (H, W) and arr.shape[-1:] != (H * W,):
            raise ValueError(
                f"RandomShift: expected images of {H}×{W} pixels (last dim {H * W}, or last dims "
                f"({H}, {W})), got shape {arr.shape}"
            )
        imgs = arr.reshape(-1, H, W)
        s = self.max_shift
        shifts = as_rng(generator if generator is not None else self.generator).integers(
            -s, s + 1, size=(imgs.shape[0], 2))
        out = np.full_like(imgs, self.fill)
        # one vectorised copy per distinct shift ((2s+1)² of them), not one per image
        for dy in range(-s, s + 1):
            for dx in range(-s, s + 1):
                rows = np.flatnonzero((shifts[:, 0] == dy) & (shifts[:, 1] == dx))
                if rows.size == 0 or abs(dy) >= H or abs(dx) >= W:
                    continue
                out[rows, max(dy, 0):H + min(dy, 0), max(dx, 0):W + min(dx, 0)] = \
                    imgs[rows, max(-dy, 0):H + min(-dy, 0), max(-dx, 0):W + min(-dx, 0)]
        return _rewrap(out.reshape(arr.shape), was_tensor)

    def __repr__(self) -> str:
        return f"RandomShift(max_shift={self.max_shift}, image_shape={self.image_shape}, fill={self.fill})"


class GaussianNoise:
    """Add independent N(0, std²) noise to every value; optionally clip the result to ``clip=(lo, hi)``."""

    def __init__(self, std=0.1, clip=None, generator=None) -> None:
        if isinstance(std, bool) or not isinstance(std, (int, float)) or not std >= 0:
            raise ValueError(f"GaussianNoise: std must be a non-negative number, got {std!r}")
        self.std, self.clip = float(std), clip
        self.generator = _keep_generator(generator)

    def __call__(self, x, generator=None) -> Any:
        arr, was_tensor = _unwrap(x)
        dt = arr.dtype if arr.dtype.kind == "f" else np.float64
        rng = as_rng(generator if generator is not None else self.generator)
        out = (arr + rng.normal(0.0, self.std, arr.shape)).astype(dt, copy=False)
        if self.clip is not None:
            out = np.clip(out, *self.clip)
        return _rewrap(out, was_tensor)

    def __repr__(self) -> str:
        return f"GaussianNoise(std={self.std}, clip={self.clip})"


class Compose:
    """Apply transforms in order: ``Compose([RandomShift(1), GaussianNoise(0.5)])(batch)``."""

    def __init__(self, transforms) -> None:
        self.transforms = list(transforms)

    def __call__(self, x) -> Any:
        for t in self.transforms:
            x = t(x)
        return x

    def __repr__(self) -> str:
        return "Compose([" + ", ".join(map(repr, self.transforms)) + "])"

"""Datasets, all offline: the playground's 2-D sets, multi-class toys, scikit-learn's bundled real sets and
your own CSV — and ``load(name)``, which gives any of them as a fixed, seeded train/val/test split.

    from chainrule.data import datasets
    X, y = datasets.circle(noise=0.1, seed=0)          # TensorFlow Playground's circle, labels ±1
    split = datasets.load("digits", seed=0)             # DataSplit: .train / .val / .test TensorDatasets
    split = datasets.load("csv:my.csv", target="price") # own data (see from_csv for the rules)

Generators: ``circle``, ``xor``, ``gaussian``, ``spiral``, ``plane``, ``multi_gaussian`` (toy.py, TF
Playground's six), ``moons``, ``spiral_k``, ``blobs``; ``FEATURES`` / ``feature_map``; ``from_csv``;
augmentations ``RandomShift``, ``GaussianNoise``. Real sets (need scikit-learn: ``pip install
chainrule[sklearn]``): ``digits``, ``iris``, ``wine``, ``breast_cancer``, ``diabetes``.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

import numpy as np

from ..engine.rng import as_rng
from .tabular import from_csv, read_csv_columns
from .toy import FEATURES, blobs, circle, feature_map, gaussian, moons, multi_gaussian, plane, spiral, spiral_k, xor
from .transforms import Compose, GaussianNoise, RandomShift, Standardize

__all__ = ["circle", "xor", "gaussian", "spiral", "plane", "multi_gaussian", "moons", "spiral_k", "blobs",
           "FEATURES", "feature_map", "from_csv", "read_csv_columns", "RandomShift", "GaussianNoise", "Compose",
           "Standardize", "digits", "iris", "wine", "breast_cancer", "diabetes", "bundled", "load", "names",
           "DataSplit", "PLAYGROUND", "REAL", "Arrays", "digits_split"]

# name → (generator, task); the playground's two-class sets have labels ±1, mapped to 0/1 by load()
PLAYGROUND = {"circle": (circle, "classification"), "xor": (xor, "classification"),
              "gaussian": (gaussian, "classification"), "spiral": (spiral, "classification"),
              "plane": (plane, "regression"), "multi_gaussian": (multi_gaussian, "regression")}
MULTICLASS = {"moons": moons, "spiral_k": spiral_k, "blobs": blobs}
# name → (scikit-learn loader, task)
REAL = {"digits": ("load_digits", "classification"), "iris": ("load_iris", "classification"),
        "wine": ("load_wine", "classification"), "breast_cancer": ("load_breast_cancer", "classification"),
        "diabetes": ("load_diabetes", "regression")}


def names():
    """Every name ``load`` accepts (plus ``"csv:PATH"`` for a CSV file)."""
    return [*PLAYGROUND, *MULTICLASS, *REAL]


# -------------------------------------------------------------------------------- bundled real data
def bundled(name):
    """A scikit-learn bundled set: ``(X float64, y, feature_names, class_names, task)``; no download.

    ``y`` is int64 class indices for classification, float64 for regression (``class_names`` then []).
    """
    if name not in REAL:
        raise ValueError(f"unknown bundled dataset {name!r}; choose one of: {', '.join(REAL)}")
    try:
        import sklearn.datasets as skd
    except ImportError:
        raise ImportError(
            f"the {name!r} dataset ships with scikit-learn, which is not installed: "
            f"pip install chainrule[sklearn]  (or: pip install scikit-learn)"
        ) from None
    loader, task = REAL[name]
    b = getattr(skd, loader)()
    X = np.asarray(b.data, dtype=np.float64)
    fn = getattr(b, "feature_names", None)
    feature_names = [str(f) for f in fn] if fn is not None else [f"x{i + 1}" for i in range(X.shape[1])]
    if task == "classification":
        y = np.asarray(b.target, dtype=np.int64)
        class_names = [str(c) for c in b.target_names]
    else:
        y, class_names = np.asarray(b.target, dtype=np.float64), []
    return X, y, feature_names, class_names, task


def digits():
    """8×8 handwritten digits (1797 images, flat 64-vectors of pixel values 0…16), labels 0…9."""
    return bundled("digits")[:2]


def iris():
    """Iris flowers: 150 samples, 4 measurements, 3 species."""
    return bundled("iris")[:2]


def wine():
    """Wine recognition: 178 samples, 13 chemical measurements, 3 cultivars."""
    return bundled("wine")[:2]


def breast_cancer():
    """Breast cancer Wisconsin: 569 samples, 30 features, malignant (0) / benign (1)."""
    return bundled("breast_cancer")[:2]


def diabetes():
    """Diabetes progression (regression): 442 samples, 10 features, a target of 25…346."""
    return bundled("diabetes")[:2]


# ------------------------------------------------------------------------------------------- split
@dataclass
class DataSplit:
    """A dataset split three ways, ready for a ``DataLoader``.

    ``train``/``val``/``test`` are ``TensorDataset(X float32, y)`` with y int64 class indices 0…C−1
    (classification) or float32 of shape (n, 1) (regression). ``scaler`` is the ``Standardize`` fitted on
    the training features only (None when ``standardize=False``); ``mean``/``std`` are its statistics.
    """

    name: str
    task: str
    train: object
    val: object
    test: object
    n_features: int
    n_classes: int
    feature_names: list = field(default_factory=list)
    class_names: list = field(default_factory=list)
    scaler: Standardize | None = None

    @property
    def mean(self):
        return None if self.scaler is None else self.scaler.mean

    @property
    def std(self):
        return None if self.scaler is None else self.scaler.std

    def to(self, device):
        """The same split with every tensor on ``device`` (``"cuda"``): batches are then cut there."""
        from .dataset_classes import TensorDataset

        def move(ds):
            return TensorDataset(*(t.to(device) for t in ds.tensors), transform=ds.transform)

        return replace(self, train=move(self.train), val=move(self.val), test=move(self.test))

    def loaders(self, batch_size=32, shuffle=True, generator=None):
        """(train, val, test) DataLoaders; only the training one shuffles."""
        from .dataloader import DataLoader

        return (DataLoader(self.train, batch_size, shuffle, generator=generator),
                DataLoader(self.val, batch_size), DataLoader(self.test, batch_size))


def split_indices(y, val_fraction, test_fraction, rng, stratify):
    """(train, val, test) index arrays: sizes round(n·fraction) for val and test, the rest for training.

    Stratified: shuffle, then order the samples so that every prefix holds the classes in the overall
    proportions (sample k of a class of size m sits at (k + ½)/m); test takes the first part, val the next.
    """
    n = len(y)
    n_test, n_val = int(round(n * test_fraction)), int(round(n * val_fraction))
    if n - n_test - n_val < 1:
        raise ValueError(f"the split leaves no training data: {n} samples, val {n_val}, test {n_test}")
    perm = rng.permutation(n)
    if stratify:
        yp = y[perm]
        key = np.empty(n)
        for c in np.unique(yp):
            where = np.flatnonzero(yp == c)
            key[where] = (np.arange(where.size) + 0.5) / where.size
        perm = perm[np.argsort(key, kind="stable")]
    return np.sort(perm[n_test + n_val:]), np.sort(perm[n_test:n_test + n_val]), np.sort(perm[:n_test])


def _fraction(name, v):
    if isinstance(v, bool) or not isinstance(v, (int, float)) or not 0 <= v < 1:
        raise ValueError(f"load: {name} must be a number in [0, 1), got {v!r}")
    return float(v)


def _raw(name, noise, n_samples, n_classes, features, target, task, rng):
    """(X, y, feature_names, class_names, task) before splitting; y is class indices or float targets."""
    toy_kw = {k: v for k, v in (("noise", noise), ("n_samples", n_samples)) if v is not None}
    if name.startswith("csv:"):
        if noise is not None or n_samples is not None or n_classes is not None:
            raise ValueError("load: noise, n_samples and n_classes apply to the generated sets, not to a CSV file")
        X, y, fnames = from_csv(name[4:], target, features=features)
        if task is None:  # few distinct integer values: classes; anything else: a quantity to predict
            task = "classification" if np.all(y == np.round(y)) and len(np.unique(y)) <= 20 else "regression"
        if task == "classification":
            values, y = np.unique(y, return_inverse=True)
            return X, y.astype(np.int64), fnames, [f"{v:g}" for v in values], task
        return X, y, fnames, [], task
    if task is not None or target is not None:
        raise ValueError(f"load: task and target apply to 'csv:PATH' data only, not to {name!r}")
    if name in REAL:
        if toy_kw or n_classes is not None or features is not None:
            raise ValueError(f"load: noise, n_samples, n_classes and features apply to the generated 2-D sets, "
                             f"not to {name!r}")
        return bundled(name)
    if name in PLAYGROUND:
        if n_classes is not None:
            raise ValueError(f"load: {name!r} has a fixed number of classes; n_classes is for spiral_k and blobs")
        gen, task = PLAYGROUND[name]
        X, y = gen(seed=rng, **toy_kw)
        class_names = ["-1", "+1"] if task == "classification" else []
        if task == "classification":
            y = (y > 0).astype(np.int64)  # −1 → 0, +1 → 1
    elif name in MULTICLASS:
        if n_classes is not None and name == "moons":
            raise ValueError("load: moons has two classes; n_classes is for spiral_k and blobs")
        kw = {"n_classes": n_classes} if n_classes is not None else {}
        X, y = MULTICLASS[name](seed=rng, **kw, **toy_kw)
        y = y.astype(np.int64)
        task, class_names = "classification", [str(c) for c in range(int(y.max()) + 1)]
    else:
        raise ValueError(f"unknown dataset {name!r}; choose one of: {', '.join(names())}, or 'csv:PATH'")
    fnames = list(features) if features is not None else ["x1", "x2"]
    if features is not None:
        X = feature_map(X, fnames)
    return X, y, fnames, class_names, task


def load(name, *, seed=0, val_fraction=0.15, test_fraction=0.15, noise=None, n_samples=None, n_classes=None,
         features=None, standardize=True, target=None, task=None):
    """Load a dataset by name as a fixed, seeded ``DataSplit`` (train/val/test ``TensorDataset``s).

    ``name``: one of ``names()`` or ``"csv:PATH"``. ``seed`` fixes the generated data and the split
    (stratified by class for classification). ``noise``/``n_samples`` (generated sets; default: each
    generator's own), ``n_classes`` (``spiral_k``, ``blobs``), ``features`` (2-D sets: ``FEATURES`` names
    such as ``["x1", "x2", "x1*x2"]``; CSV: the input columns). ``standardize``: z-score the features with
    the mean/std of the training part only. For a CSV, ``target`` names the target column (default: the
    last) and ``task`` is ``"classification"``, ``"regression"`` or None: integer targets with at most 20
    distinct values are classes (mapped to 0…C−1 in sorted order), anything else is regression.
    """
    if not isinstance(name, str):
        raise TypeError(f"load: name must be a string, got {type(name).__name__}")
    if task not in (None, "classification", "regression"):
        raise ValueError(f"load: task must be 'classification', 'regression' or None, got {task!r}")
    val_fraction, test_fraction = _fraction("val_fraction", val_fraction), _fraction("test_fraction", test_fraction)
    rng = as_rng(seed)
    X, y, fnames, class_names, task = _raw(name, noise, n_samples, n_classes, features, target, task, rng)
    classify = task == "classification"
    tr, va, te = split_indices(y, val_fraction, test_fraction, rng, stratify=classify)
    scaler = Standardize().fit(X[tr]) if standardize else None
    from .dataset_classes import TensorDataset

    def part(idx):
        Xp = scaler.transform(X[idx]) if scaler is not None else X[idx]
        yp = y[idx].astype(np.int64) if classify else y[idx].astype(np.float32).reshape(-1, 1)
        return TensorDataset(np.ascontiguousarray(Xp, dtype=np.float32), yp)

    n_classes_out = len(class_names) if classify else 0
    return DataSplit(name=name, task=task, train=part(tr), val=part(va), test=part(te), n_features=X.shape[1],
                     n_classes=n_classes_out, feature_names=fnames, class_names=class_names, scaler=scaler)



# ------------------------------------------------------------------------------ the lectures' digits
@dataclass
class Arrays:
    """One part of a split as NumPy arrays: inputs ``X`` and targets ``y``."""

    X: np.ndarray
    y: np.ndarray


def digits_split(seed=0):
    """The 8×8 digits as NumPy ``(train, val, test)`` ``Arrays``: pixels scaled to [0, 1] (float32), labels
    int64 — ``load("digits", seed=seed, standardize=False)``'s fixed split, divided by 16.

    Not standardised: pixels in [0, 1] keep the images images (a shift moves in background 0). The labs
    and the doctor's demos train on these.
    """
    if seed not in _DIGITS:  # reading scikit-learn's file costs ~40 ms, and a lab's every trial asks for it
        split = load("digits", seed=seed, standardize=False)
        parts = []
        for ds in (split.train, split.val, split.test):
            X, y = (t.numpy() if hasattr(t, "numpy") else np.asarray(t) for t in ds.tensors[:2])
            parts.append(Arrays(np.asarray(X, dtype=np.float32) / 16.0, np.asarray(y, dtype=np.int64)))
        _DIGITS[seed] = tuple(parts)
    return tuple(Arrays(p.X.copy(), p.y.copy()) for p in _DIGITS[seed])  # copies: the caller may change them


_DIGITS: dict = {}  # seed -> (train, val, test), kept for the process

"""datasets.load: fixed, seeded, disjoint, (stratified) train/val/test splits with train-only standardisation."""

import sys

import numpy as np
import pytest

import chainrule as cr
from chainrule.data import DataSplit, TensorDataset, datasets
from chainrule.data.datasets import split_indices

ALL = ["circle", "xor", "gaussian", "spiral", "plane", "multi_gaussian", "moons", "spiral_k", "blobs",
       "digits", "iris", "wine", "breast_cancer", "diabetes"]
REGRESSION = {"plane", "multi_gaussian", "diabetes"}


def arrays(ds):
    return [t.numpy() for t in ds.tensors]


def source(name):
    """The data load() splits: the bundled set, or the generator's output for load's default seed 0."""
    if name in datasets.REAL:
        return datasets.bundled(name)[0]
    gen = datasets.PLAYGROUND[name][0] if name in datasets.PLAYGROUND else datasets.MULTICLASS[name]
    return gen(seed=np.random.default_rng(0))[0]


def sorted_rows(X):
    return X[np.lexsort(np.round(X, 3).T[::-1])]


def test_names():
    assert datasets.names() == ALL


@pytest.mark.parametrize("name", ALL)
def test_split_shapes_dtypes_and_disjointness(name):
    s = datasets.load(name, seed=0)
    assert isinstance(s, DataSplit) and s.name == name
    assert all(isinstance(p, TensorDataset) for p in (s.train, s.val, s.test))
    n = len(s.train) + len(s.val) + len(s.test)
    assert len(s.test) == round(n * 0.15) and len(s.val) == round(n * 0.15)
    X = np.concatenate([arrays(p)[0] for p in (s.train, s.val, s.test)])
    assert X.dtype == np.float32 and X.shape == (n, s.n_features) == (n, len(s.feature_names))
    raw = s.scaler.inverse_transform(X.astype(np.float64))
    # together the parts hold every sample of the source exactly once (so they are disjoint)
    assert np.allclose(sorted_rows(raw), sorted_rows(source(name)), atol=1e-4)
    y = arrays(s.train)[1]
    if name in REGRESSION:
        assert s.task == "regression" and s.n_classes == 0 and s.class_names == []
        assert y.dtype == np.float32 and y.shape == (len(s.train), 1)
    else:
        assert s.task == "classification" and s.n_classes == len(s.class_names) >= 2
        assert y.dtype == np.int64 and y.shape == (len(s.train),)
        ys = np.concatenate([arrays(p)[1] for p in (s.train, s.val, s.test)])
        assert np.array_equal(np.unique(ys), np.arange(s.n_classes))


def test_sizes_of_the_real_sets():
    assert sum(map(len, (lambda s: (s.train, s.val, s.test))(datasets.load("digits")))) == 1797
    iris = datasets.load("iris", val_fraction=0.2, test_fraction=0.2)
    assert (len(iris.train), len(iris.val), len(iris.test)) == (90, 30, 30)
    assert iris.feature_names[0] == "sepal length (cm)" and iris.class_names == ["setosa", "versicolor", "virginica"]


@pytest.mark.parametrize("name", ["spiral", "digits", "diabetes"])
def test_deterministic_under_seed(name):
    a, b, c = datasets.load(name, seed=3), datasets.load(name, seed=3), datasets.load(name, seed=4)
    for pa, pb in zip((a.train, a.val, a.test), (b.train, b.val, b.test)):
        for x, y in zip(arrays(pa), arrays(pb)):
            assert np.array_equal(x, y)
    assert not np.array_equal(arrays(a.test)[0], arrays(c.test)[0])


def test_standardisation_is_fitted_on_train_only():
    s = datasets.load("wine", seed=0)
    Xtr = arrays(s.train)[0]
    assert np.allclose(Xtr.mean(0), 0, atol=1e-5) and np.allclose(Xtr.std(0), 1, atol=1e-4)
    Xte = arrays(s.test)[0]
    assert not np.allclose(Xte.mean(0), 0, atol=1e-3)  # the test part is not refitted
    X, _ = datasets.wine()
    assert s.mean.shape == (13,) and np.all(s.std > 0)
    raw_train = s.scaler.inverse_transform(Xtr.astype(np.float64))
    assert np.allclose(raw_train.mean(0), s.mean) and np.allclose(raw_train.std(0), s.std, rtol=1e-4)
    assert not np.allclose(s.mean, X.mean(0))  # not the statistics of the whole set


def test_no_standardisation_keeps_raw_values():
    s = datasets.load("digits", standardize=False)
    X = arrays(s.train)[0]
    assert s.scaler is None and s.mean is None and X.min() == 0 and X.max() == 16


def test_digits_constant_pixels_do_not_become_nan():
    X = arrays(datasets.load("digits").train)[0]
    assert np.isfinite(X).all()


@pytest.mark.parametrize("name", ["digits", "breast_cancer", "spiral_k"])
def test_stratified(name):
    s = datasets.load(name, seed=1)
    parts = [arrays(p)[1] for p in (s.train, s.val, s.test)]
    overall = np.bincount(np.concatenate(parts), minlength=s.n_classes) / sum(map(len, parts))
    for y in parts:
        expected = overall * len(y)
        assert np.all(np.abs(np.bincount(y, minlength=s.n_classes) - expected) <= 1.0 + 1e-9)


def test_split_indices_cover_and_disjoint():
    rng = np.random.default_rng(0)
    y = rng.integers(0, 4, 103)
    for stratify in (True, False):
        tr, va, te = split_indices(y, 0.2, 0.1, np.random.default_rng(1), stratify)
        assert (len(tr), len(va), len(te)) == (103 - 21 - 10, 21, 10)
        assert np.array_equal(np.sort(np.concatenate([tr, va, te])), np.arange(103))


def test_playground_labels_become_0_and_1():
    s = datasets.load("circle", noise=0.0, n_samples=400, seed=0)
    X = s.scaler.inverse_transform(arrays(s.train)[0].astype(np.float64))
    y = arrays(s.train)[1]
    assert np.array_equal(y, (np.hypot(X[:, 0], X[:, 1]) < 2.5).astype(np.int64))  # +1 (inside) → 1
    assert s.class_names == ["-1", "+1"]
    assert len(s.train) + len(s.val) + len(s.test) == 400


def test_options_reach_the_generators():
    s = datasets.load("blobs", n_classes=5, n_samples=250, noise=0.1, seed=0)
    assert s.n_classes == 5 and len(s.train) + len(s.val) + len(s.test) == 250
    reg = datasets.load("plane", n_samples=100)
    assert len(reg.train) + len(reg.val) + len(reg.test) == 100
    f = datasets.load("xor", features=["x1", "x2", "x1*x2"], standardize=False)
    X = arrays(f.train)[0]
    assert f.n_features == 3 and f.feature_names == ["x1", "x2", "x1*x2"]
    assert np.allclose(X[:, 2], X[:, 0] * X[:, 1], rtol=1e-5)


def test_empty_validation_part():
    s = datasets.load("iris", val_fraction=0.0)
    assert len(s.val) == 0 and len(s.train) + len(s.test) == 150


def test_loaders():
    s = datasets.load("iris")
    tr, va, te = s.loaders(batch_size=16)
    assert tr.shuffle and not va.shuffle and sum(len(x) for x, _ in te) == len(s.test)


@pytest.mark.parametrize("kwargs, message", [
    ({"name": "mnist"}, r"unknown dataset 'mnist'; choose one of: circle, xor, .*diabetes, or 'csv:PATH'"),
    ({"name": "digits", "noise": 0.1}, "apply to the generated 2-D sets"),
    ({"name": "circle", "n_classes": 3}, "n_classes is for spiral_k and blobs"),
    ({"name": "moons", "n_classes": 3}, "moons has two classes"),
    ({"name": "circle", "target": "y"}, "csv:PATH"),
    ({"name": "circle", "val_fraction": 1.5}, r"val_fraction must be a number in \[0, 1\)"),
    ({"name": "circle", "val_fraction": 0.5, "test_fraction": 0.5}, "no training data"),
    ({"name": "circle", "features": ["x9"]}, "unknown feature 'x9'"),
    ({"name": "circle", "task": "clustering"}, "task must be"),
])
def test_errors(kwargs, message):
    name = kwargs.pop("name")
    with pytest.raises(ValueError, match=message):
        datasets.load(name, **kwargs)


def test_missing_sklearn_gives_install_hint(monkeypatch):
    monkeypatch.setitem(sys.modules, "sklearn", None)
    monkeypatch.setitem(sys.modules, "sklearn.datasets", None)
    with pytest.raises(ImportError, match=r"pip install 'chainrule\[sklearn\]'"):
        datasets.load("digits")
    datasets.load("circle")  # the generated sets need no scikit-learn


def test_bundled_matches_sklearn():
    from sklearn.datasets import load_diabetes, load_digits

    X, y = datasets.digits()
    assert np.array_equal(X, load_digits().data) and y.dtype == np.int64
    X, y = datasets.diabetes()
    assert np.array_equal(y, load_diabetes().target) and y.dtype == np.float64


def test_global_seed_when_seed_is_none():
    cr.manual_seed(5)
    a = arrays(datasets.load("spiral", seed=None).test)[0]
    cr.manual_seed(5)
    assert np.array_equal(a, arrays(datasets.load("spiral", seed=None).test)[0])


def test_digits_split_is_the_fixed_split_in_unit_pixels():
    parts = datasets.digits_split()
    split = datasets.load("digits", seed=0, standardize=False)
    assert sum(len(p.X) for p in parts) == 1797
    for p, ds in zip(parts, (split.train, split.val, split.test)):
        X, y = arrays(ds)
        assert p.X.dtype == np.float32 and p.y.dtype == np.int64
        assert 0.0 <= p.X.min() and p.X.max() <= 1.0
        np.testing.assert_array_equal(p.X, X / 16.0)
        np.testing.assert_array_equal(p.y, y)

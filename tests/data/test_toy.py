"""The playground generators match TensorFlow Playground's dataset.ts; the multi-class sets; feature maps."""

import math

import numpy as np
import pytest

import chainrule as cr
from chainrule.data import datasets as D

CLASSIFY = [D.circle, D.xor, D.gaussian, D.spiral]
REGRESS = [D.plane, D.multi_gaussian]


@pytest.mark.parametrize("gen", CLASSIFY + REGRESS + [D.moons])
def test_default_counts_dtypes_and_shapes(gen):
    X, y = gen(seed=0)
    n = 1200 if gen in REGRESS else 500  # TF: 500 points for classification, 1200 for regression
    assert X.shape == (n, 2) and y.shape == (n,)
    assert X.dtype == np.float64 and y.dtype == np.float64


@pytest.mark.parametrize("gen", CLASSIFY + REGRESS + [D.moons, D.spiral_k, D.blobs])
@pytest.mark.parametrize("n", [1, 7, 101])
def test_exact_count_for_any_n(gen, n):
    if gen is D.moons and n == 1:
        pytest.skip("moons needs two points")
    if gen in (D.spiral_k, D.blobs) and n < 3:
        pytest.skip("three classes need three points")
    X, y = gen(n_samples=n, seed=1)
    assert X.shape == (n, 2) and y.shape == (n,)


@pytest.mark.parametrize("gen", [D.circle, D.gaussian, D.spiral])
def test_balanced_labels_pm1(gen):
    _, y = gen(noise=0.0, seed=3)
    assert set(np.unique(y)) == {-1.0, 1.0}
    assert (y == 1).sum() == 250 and (y == -1).sum() == 250


def test_circle_radii_and_labels_at_noise_0():
    X, y = D.circle(noise=0.0, seed=0, shuffle=False)
    r = np.hypot(X[:, 0], X[:, 1])
    assert np.all(y[:250] == 1) and np.all(y[250:] == -1)  # TF order: positives first
    assert r[:250].max() < 2.5 and r[250:].min() >= 3.5 and r[250:].max() <= 5.0
    assert np.array_equal(y, np.where(r < 2.5, 1.0, -1.0))  # separable by the circle of radius 2.5


def test_circle_noise_flips_labels_but_does_not_move_points():
    X, y = D.circle(noise=0.5, seed=0, shuffle=False)
    r = np.hypot(X[:, 0], X[:, 1])
    assert r[:250].max() < 2.5 and r[250:].min() >= 3.5  # the points stay where they were drawn
    flipped = (y != np.where(r < 2.5, 1.0, -1.0)).mean()
    assert 0.05 < flipped < 0.6  # the label is read at a shifted position


def test_xor_padding_and_labels():
    X, y = D.xor(noise=0.0, seed=0)
    assert np.abs(X).min() >= 0.3 and np.abs(X).max() <= 5.3  # pushed 0.3 away from the axes
    assert np.array_equal(y, np.where(X[:, 0] * X[:, 1] >= 0, 1.0, -1.0))
    Xn, yn = D.xor(noise=0.5, seed=0)
    assert np.abs(Xn).min() >= 0.3
    disagree = (yn != np.where(Xn[:, 0] * Xn[:, 1] >= 0, 1.0, -1.0)).mean()
    assert 0.05 < disagree < 0.5


@pytest.mark.parametrize("noise, variance", [(0.0, 0.5), (0.25, 2.25), (0.5, 4.0)])
def test_gaussian_centres_and_variance(noise, variance):
    X, y = D.gaussian(n_samples=40000, noise=noise, seed=0)
    pos, neg = X[y == 1], X[y == -1]
    assert np.allclose(pos.mean(0), [2, 2], atol=0.05) and np.allclose(neg.mean(0), [-2, -2], atol=0.05)
    assert np.allclose(pos.var(0), variance, rtol=0.04) and np.allclose(neg.var(0), variance, rtol=0.04)


def test_spiral_formula_at_noise_0():
    X, y = D.spiral(noise=0.0, seed=0, shuffle=False)
    m = 250
    i = np.arange(m)
    r, t = 5 * i / m, 1.75 * 2 * math.pi * i / m
    assert np.allclose(X[:m], np.stack([r * np.sin(t), r * np.cos(t)], 1))
    assert np.allclose(X[m:], np.stack([r * np.sin(t + math.pi), r * np.cos(t + math.pi)], 1))
    assert np.all(y[:m] == 1) and np.all(y[m:] == -1)


def test_spiral_noise_moves_points_by_at_most_noise():
    X0, _ = D.spiral(noise=0.0, seed=0, shuffle=False)
    X1, _ = D.spiral(noise=0.3, seed=0, shuffle=False)
    d = np.abs(X1 - X0)
    assert d.max() <= 0.3 and d.max() > 0.2


def test_plane_targets():
    X, y = D.plane(noise=0.0, seed=0)
    assert np.abs(X).max() <= 6
    assert np.allclose(y, (X[:, 0] + X[:, 1]) / 10)
    Xn, yn = D.plane(noise=0.5, seed=0)
    err = np.abs(yn - (Xn[:, 0] + Xn[:, 1]) / 10)
    assert err.max() <= 2 * 6 * 0.5 / 10 + 1e-12 and err.mean() > 0.05  # read at the shifted point


def _tf_multi_gaussian_label(x, y):
    """TF's getLabel, written out as its loop: the bump with the largest |value| wins."""
    bumps = [(-4, 2.5, 1), (0, 2.5, -1), (4, 2.5, 1), (-4, -2.5, -1), (0, -2.5, 1), (4, -2.5, -1)]
    label = 0.0
    for cx, cy, sign in bumps:
        d = math.hypot(x - cx, y - cy)
        new = sign * min(max(1 - d / 2, 0.0), 1.0)
        if abs(new) > abs(label):
            label = new
    return label


def test_multi_gaussian_targets():
    X, y = D.multi_gaussian(noise=0.0, seed=0)
    expected = np.array([_tf_multi_gaussian_label(a, b) for a, b in X])
    assert np.allclose(y, expected)
    assert np.abs(y).max() <= 1 and (y == 0).mean() > 0.1
    Xn, yn = D.multi_gaussian(noise=0.3, seed=0)
    assert not np.allclose(yn, [_tf_multi_gaussian_label(a, b) for a, b in Xn])


@pytest.mark.parametrize("gen", CLASSIFY + REGRESS + [D.moons, D.spiral_k, D.blobs])
def test_seeded_determinism(gen):
    a, b, c = gen(noise=0.2, seed=5), gen(noise=0.2, seed=5), gen(noise=0.2, seed=6)
    assert np.array_equal(a[0], b[0]) and np.array_equal(a[1], b[1])
    assert not np.array_equal(a[0], c[0])
    g1, g2 = np.random.default_rng(9), np.random.default_rng(9)
    assert np.array_equal(gen(seed=g1)[0], gen(seed=g2)[0])
    cr.manual_seed(11)  # seed=None draws from chainrule's default generator
    d = gen(noise=0.2)
    cr.manual_seed(11)
    assert np.array_equal(d[0], gen(noise=0.2)[0])
    assert np.array_equal(gen(seed=cr.Generator().manual_seed(4))[0], gen(seed=cr.Generator().manual_seed(4))[0])


def test_shuffled_by_default():
    _, y = D.circle(seed=0)
    assert not (np.all(y[:250] == 1) and np.all(y[250:] == -1))


@pytest.mark.parametrize("noise", [-0.1, 25, float("nan"), "0.1"])
def test_bad_noise(noise):
    with pytest.raises(ValueError, match="noise.*slider/100"):
        D.circle(noise=noise)


@pytest.mark.parametrize("n", [0, -5, 2.5, True])
def test_bad_n_samples(n):
    with pytest.raises(ValueError, match="xor: n_samples"):
        D.xor(n_samples=n)


def test_bad_seed():
    with pytest.raises(TypeError, match="seed"):
        D.circle(seed="x")


def test_moons_geometry_and_labels():
    X, y = D.moons(noise=0.0, seed=0, shuffle=False)
    u = X / 2.5 + [0.5, 0.25]  # undo the centring and scaling: scikit-learn's coordinates
    assert np.array_equal(np.unique(y), [0, 1]) and (y == 0).sum() == 250
    assert np.allclose(np.hypot(u[y == 0, 0], u[y == 0, 1]), 1)
    assert np.allclose(np.hypot(u[y == 1, 0] - 1, u[y == 1, 1] - 0.5), 1)
    from sklearn.datasets import make_moons

    Xs, ys = make_moons(n_samples=500, noise=0.0, shuffle=False)
    assert np.allclose(np.sort(u[:, 0]), np.sort(Xs[:, 0])) and np.allclose(np.sort(u[:, 1]), np.sort(Xs[:, 1]))


@pytest.mark.parametrize("k", [2, 3, 5])
def test_spiral_k(k):
    X, y = D.spiral_k(n_classes=k, n_samples=600, noise=0.0, seed=0)
    assert np.array_equal(np.unique(y), np.arange(k))
    counts = np.bincount(y.astype(int))
    assert counts.max() - counts.min() <= 1
    if k == 2:  # the playground spiral, labels 0 (arm 0) and 1 (arm π)
        Xs, ys = D.spiral(n_samples=600, noise=0.0, seed=0, shuffle=False)
        X2, y2 = D.spiral_k(2, 600, 0.0, seed=0, shuffle=False)
        assert np.allclose(X2, Xs) and np.array_equal(y2, (ys < 0).astype(float))


def test_blobs_centres():
    X, y = D.blobs(n_classes=4, n_samples=8000, seed=0)
    for j in range(4):
        a = 2 * math.pi * j / 4
        assert np.allclose(X[y == j].mean(0), [3.5 * math.cos(a), 3.5 * math.sin(a)], atol=0.06)


@pytest.mark.parametrize("gen", [D.spiral_k, D.blobs])
def test_bad_n_classes(gen):
    with pytest.raises(ValueError, match="n_classes"):
        gen(n_classes=1)


def test_features_order_and_values():
    assert list(D.FEATURES) == ["x1", "x2", "x1^2", "x2^2", "x1*x2", "sin(x1)", "sin(x2)"]
    X = np.array([[1.0, 2.0], [-3.0, 0.5]])
    F = D.feature_map(X, list(D.FEATURES))
    expected = np.stack([X[:, 0], X[:, 1], X[:, 0] ** 2, X[:, 1] ** 2, X[:, 0] * X[:, 1],
                         np.sin(X[:, 0]), np.sin(X[:, 1])], 1)
    assert F.shape == (2, 7) and np.allclose(F, expected)
    assert np.allclose(D.feature_map(X, "x1*x2"), [[2.0], [-1.5]])
    assert np.allclose(D.feature_map(X), X)  # default: x1, x2


def test_feature_map_errors():
    X = np.zeros((3, 2))
    with pytest.raises(ValueError, match=r"unknown feature 'x3'.*x1, x2, x1\^2, x2\^2, x1\*x2, sin\(x1\), sin\(x2\)"):
        D.feature_map(X, ["x1", "x3"])
    with pytest.raises(ValueError, match=r"shape \(n, 2\), got shape \(3, 3\)"):
        D.feature_map(np.zeros((3, 3)), ["x1"])
    with pytest.raises(ValueError, match="at least one"):
        D.feature_map(X, [])


def test_xor_needs_the_product_feature():
    """At noise 0 XOR is linearly separable with x1·x2 (the lecture's extra feature), not with x1, x2."""
    X, y = D.xor(seed=0)
    assert np.array_equal(np.sign(D.feature_map(X, ["x1*x2"])[:, 0]), y)
    A = np.c_[X, np.ones(len(X))]  # best least-squares linear fit on x1, x2 is near chance
    w = np.linalg.lstsq(A, y, rcond=None)[0]
    assert (np.sign(A @ w) == y).mean() < 0.65

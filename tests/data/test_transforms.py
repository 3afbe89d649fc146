"""Standardize (vs scikit-learn's StandardScaler) and the digit augmentations RandomShift, GaussianNoise."""

import numpy as np
import pytest

import chainrule as cr
from chainrule.data import Compose, GaussianNoise, RandomShift, Standardize


def test_standardize_matches_sklearn():
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    X = rng.normal(3, 2, (50, 4))
    X[:, 2] = 7.0  # a constant feature
    ours, ref = Standardize().fit(X), StandardScaler().fit(X)
    assert np.allclose(ours.mean, ref.mean_) and np.allclose(ours.std, ref.scale_)
    Z = rng.normal(size=(5, 4))
    assert np.allclose(ours(Z), ref.transform(Z)) and np.allclose(ours.inverse_transform(Z), ref.inverse_transform(Z))
    assert np.all(ours.transform(X)[:, 2] == 0)  # constant → 0, not NaN


def test_standardize_roundtrip_tensor_and_dtype():
    X = np.random.default_rng(1).normal(size=(20, 3)).astype(np.float32)
    s = Standardize().fit(X)
    Z = s.fit_transform(X)
    assert Z.dtype == np.float32 and np.allclose(s.inverse(Z), X, atol=1e-6)
    t = cr.tensor(X)
    zt = s(t)
    assert isinstance(zt, cr.Tensor) and zt.dtype == cr.float32 and np.allclose(zt.numpy(), Z, atol=1e-6)
    x = cr.tensor(X, requires_grad=True)  # the arithmetic is recorded: d/dx sum((x − m)/s) = 1/s
    s(x).sum().backward()
    assert np.allclose(x.grad.numpy(), np.broadcast_to(1 / s.std, X.shape), rtol=1e-5)
    s2 = Standardize()
    s2.load_state_dict(s.state_dict())
    assert np.array_equal(s2.mean, s.mean) and np.array_equal(s2.std, s.std)


def test_standardize_errors():
    with pytest.raises(RuntimeError, match="call fit"):
        Standardize()(np.zeros((2, 3)))
    s = Standardize().fit(np.ones((4, 3)))
    with pytest.raises(ValueError, match=r"expected samples of shape \(3,\).*got an array of shape \(2, 5\)"):
        s(np.zeros((2, 5)))
    with pytest.raises(ValueError, match="at least one sample"):
        Standardize().fit(np.zeros((0, 3)))
    with pytest.raises(ValueError, match="both mean and std"):
        Standardize(mean=[0.0])
    with pytest.raises(ValueError, match="positive"):
        Standardize(mean=[0.0], std=[0.0])


def shifted(img, dy, dx):
    """Reference: the 8×8 image moved by (dy, dx) with zero fill, pixel by pixel."""
    out = np.zeros_like(img)
    for r in range(8):
        for c in range(8):
            if 0 <= r + dy < 8 and 0 <= c + dx < 8:
                out[r + dy, c + dx] = img[r, c]
    return out


def test_random_shift_is_a_shift_of_at_most_one_pixel():
    rng = np.random.default_rng(0)
    X = rng.integers(1, 17, (300, 64)).astype(np.float64)  # no zero pixels: the shift is identifiable
    out = RandomShift(1, generator=0)(X)
    assert out.shape == X.shape
    seen = set()
    for x, o in zip(X.reshape(-1, 8, 8), out.reshape(-1, 8, 8)):
        matches = [(dy, dx) for dy in (-1, 0, 1) for dx in (-1, 0, 1) if np.array_equal(shifted(x, dy, dx), o)]
        assert len(matches) == 1
        seen.add(matches[0])
    assert len(seen) == 9  # every shift occurs


def test_random_shift_shapes_zero_shift_and_tensors():
    rng = np.random.default_rng(0)
    X = rng.random((10, 64))
    assert np.array_equal(RandomShift(0)(X), X)
    one = RandomShift(2, generator=1)(X[0])
    assert one.shape == (64,)
    imgs = RandomShift(1, generator=1)(X.reshape(10, 8, 8))
    assert imgs.shape == (10, 8, 8)
    t = RandomShift(1, generator=3)(cr.tensor(X, dtype=cr.float32))
    assert isinstance(t, cr.Tensor) and t.dtype == cr.float32
    with pytest.raises(ValueError, match=r"8×8 pixels.*got shape \(10, 63\)"):
        RandomShift(1)(X[:, :63])
    with pytest.raises(ValueError, match="max_shift"):
        RandomShift(-1)


def test_augmentations_are_deterministic_under_a_seed():
    X = np.random.default_rng(0).random((50, 64))
    for make in (lambda g: RandomShift(1, generator=g), lambda g: GaussianNoise(0.5, generator=g)):
        a, b = make(7), make(7)
        first = a(X)
        assert np.array_equal(first, b(X))
        assert not np.array_equal(first, a(X))  # the next call draws new shifts/noise
        cr.manual_seed(2)  # generator None: chainrule's default generator
        c = make(None)(X)
        cr.manual_seed(2)
        assert np.array_equal(c, make(None)(X))


def test_gaussian_noise_statistics_and_clip():
    X = np.full((400, 64), 8.0)
    out = GaussianNoise(2.0, generator=0)(X)
    d = out - X
    assert abs(d.mean()) < 0.05 and abs(d.std() - 2.0) < 0.05
    clipped = GaussianNoise(10.0, clip=(0, 16), generator=0)(X)
    assert clipped.min() == 0 and clipped.max() == 16
    assert GaussianNoise(1.0)(X.astype(np.float32)).dtype == np.float32
    with pytest.raises(ValueError, match="std"):
        GaussianNoise(-1)


def test_compose():
    X = np.random.default_rng(0).random((5, 64))
    out = Compose([RandomShift(0), GaussianNoise(0.0)])(X)
    assert np.allclose(out, X)

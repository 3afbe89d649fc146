"""The torch-stream generator (engine/torch_random.py behind rng.py's torch kind): bit for bit against
torch's CPU generator, over seeds, sizes on both sides of every kernel's thresholds (16 for normal, 2²⁸ for
randint's 64-bit draws), dtypes, and successive calls from one seed."""

import json

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule.engine import torch_random as T
from chainrule.engine.rng import as_rng

SEEDS = [0, 1, 42, 2**32 + 7, 987654321]
SIZES = [1, 2, 3, 15, 16, 17, 31, 32, 33, 100, 1000, 4099]  # normal: scalar below 16, blocks of 16 above


def same(c, t):
    """The same dtype, shape and bits."""
    c = c.numpy() if isinstance(c, cr.Tensor) else np.asarray(c)
    t = t.detach().numpy() if isinstance(t, torch.Tensor) else np.asarray(t)
    assert c.dtype == t.dtype and c.shape == t.shape
    np.testing.assert_array_equal(c, t)


def seed_both(seed):
    torch.manual_seed(seed)
    cr.manual_seed(seed)


def torch_state():
    """torch's CPU generator state (CPUGeneratorImpl.cpp's POD): words, position, cached normal."""
    raw = torch.get_rng_state().numpy().tobytes()
    nxt = np.frombuffer(raw, np.uint64, 1, 16)[0]
    words = np.frombuffer(raw, np.uint64, 624, 24).astype(np.uint32)
    valid = np.frombuffer(raw, np.int32, 1, 5040)[0]
    cached = float(np.frombuffer(raw, np.float64, 1, 5024)[0]) if valid else None
    return words, int(nxt), cached


# ------------------------------------------------------------------------------------------ engine
@pytest.mark.parametrize("seed", SEEDS)
def test_engine_state_follows_torch_through_mixed_calls(seed, torch_streams):
    seed_both(seed)
    rng = as_rng(None)
    for draw in [lambda m: m.randn(3), lambda m: m.rand(700), lambda m: m.randint(0, 5, (1300,)),
                 lambda m: m.randn(5, dtype=m.float64), lambda m: m.randperm(10), lambda m: m.rand(2)]:
        draw(torch), draw(cr)
        words, nxt, cached = torch_state()
        np.testing.assert_array_equal(rng.engine.state, words)
        assert rng.engine.used == nxt and rng.normal_cache == cached


def test_engine_words_in_any_chunking():
    whole = T.MT19937(5).random32(3000)
    e = T.MT19937(5)
    parts = np.concatenate([e.random32(k) for k in [0, 1, 623, 1, 624, 1250, 501]])
    np.testing.assert_array_equal(parts, whole)
    assert whole[0] == 953453411  # std::mt19937(5)'s first word


# ------------------------------------------------------------------------------- float draws
@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_randn_and_rand(seed, dtype, torch_streams):
    seed_both(seed)
    tdt, cdt = getattr(torch, dtype), getattr(cr, dtype)
    for n in SIZES:  # one stream: each call carries on from the last (and the cached normal with it)
        same(cr.randn(n, dtype=cdt), torch.randn(n, dtype=tdt))
        same(cr.rand(n, dtype=cdt), torch.rand(n, dtype=tdt))
    same(cr.randn(3, 5, 7, dtype=cdt), torch.randn(3, 5, 7, dtype=tdt))
    same(cr.randn_like(cr.zeros(2, 9, dtype=cdt)), torch.randn_like(torch.zeros(2, 9, dtype=tdt)))
    same(cr.rand_like(cr.zeros(4, dtype=cdt)), torch.rand_like(torch.zeros(4, dtype=tdt)))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("mean, std", [(0.0, 1.0), (0.3, 2.7), (-1.1, 0.01), (5.0, 1e-3)])
def test_normal_and_normal_(dtype, mean, std, torch_streams):
    seed_both(3)
    tdt, cdt = getattr(torch, dtype), getattr(cr, dtype)
    for n in [1, 5, 15, 16, 40, 1001]:
        same(cr.normal(mean, std, size=(n,), dtype=cdt), torch.normal(mean, std, size=(n,), dtype=tdt))
        same(cr.empty(n, dtype=cdt).normal_(mean, std), torch.empty(n, dtype=tdt).normal_(mean, std))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_normal_with_tensor_mean_or_std(dtype, torch_streams):
    seed_both(4)
    tdt = getattr(torch, dtype)
    for n in [3, 20]:
        tm, ts = torch.linspace(-2, 2, n, dtype=tdt), torch.linspace(0.1, 3, n, dtype=tdt)
        cm, cs = cr.tensor(tm.numpy()), cr.tensor(ts.numpy())
        same(cr.normal(cm, cs), torch.normal(tm, ts))
        same(cr.normal(cm, 0.5), torch.normal(tm, 0.5))
        same(cr.normal(1.5, cs), torch.normal(1.5, ts))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("a, b", [(-0.7, 0.7), (-0.1234, 3.3), (2.0, 5.5), (0.0, 1.0)])
def test_uniform_(dtype, a, b, torch_streams):
    seed_both(5)
    tdt, cdt = getattr(torch, dtype), getattr(cr, dtype)
    for n in [1, 7, 64, 999]:
        same(cr.empty(n, dtype=cdt).uniform_(a, b), torch.empty(n, dtype=tdt).uniform_(a, b))


# ----------------------------------------------------------------------------- integer draws
@pytest.mark.parametrize("low, high", [(0, 10), (-5, 5), (3, 4), (0, 2**28 - 1), (0, 2**28), (-2**27, 2**27),
                                       (0, 2**31), (0, 2**32), (-2**40, 2**40), (-2**62, 2**62)])
def test_randint_32_and_64_bit_draws(low, high, torch_streams):
    seed_both(6)
    for n in [1, 7, 100]:
        same(cr.randint(low, high, (n,)), torch.randint(low, high, (n,)))
    if low == 0:
        same(cr.randint(high, (2, 3)), torch.randint(high, (2, 3)))
    if high - low <= 2**24:  # other dtypes: the same draws, cast
        for dt in ["int32", "float32"]:
            same(cr.randint(low, high, (5,), dtype=getattr(cr, dt)),
                 torch.randint(low, high, (5,), dtype=getattr(torch, dt)))
        same(cr.randint_like(cr.zeros(3, 2), low, high), torch.randint_like(torch.zeros(3, 2), low, high))
    if high - low <= 2**53:  # beyond, torch warns that float64 cannot hold the range
        same(cr.randint(low, high, (5,), dtype=cr.float64), torch.randint(low, high, (5,), dtype=torch.float64))


@pytest.mark.parametrize("seed", SEEDS)
def test_randperm(seed, torch_streams):
    seed_both(seed)
    for n in [0, 1, 2, 17, 1000]:
        same(cr.randperm(n), torch.randperm(n))


# ------------------------------------------------------------------ bernoulli and multinomial
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_bernoulli(dtype, torch_streams):
    seed_both(7)
    tdt, cdt = getattr(torch, dtype), getattr(cr, dtype)
    for n in [1, 9, 500]:
        tp = torch.linspace(0, 1, n, dtype=tdt)
        same(cr.bernoulli(cr.tensor(tp.numpy())), torch.bernoulli(tp))  # one probability per element
        for p in [0.2, 0.5, 0.9]:  # one probability for all
            same(cr.bernoulli(cr.zeros(n, dtype=cdt), p), torch.bernoulli(torch.zeros(n, dtype=tdt), p))


@pytest.mark.parametrize("dtype", ["float32", "float64"])
@pytest.mark.parametrize("shape", [(5,), (3, 7), (2, 100)])
@pytest.mark.parametrize("num_samples, replacement", [(1, False), (3, False), (1, True), (4, True), (12, True)])
def test_multinomial(dtype, shape, num_samples, replacement, torch_streams):
    torch.manual_seed(8)
    w = torch.rand(shape, dtype=getattr(torch, dtype)) + 0.01
    seed_both(9)
    for _ in range(3):
        same(cr.multinomial(cr.tensor(w.numpy()), num_samples, replacement),
             torch.multinomial(w, num_samples, replacement))


# ----------------------------------------------------------------------------- the mode itself
def test_the_default_mode_is_numpy_and_comes_back_unchanged():
    cr.manual_seed(0)
    before = cr.randn(20).numpy()
    assert cr.default_generator.kind == "numpy" and cr.Generator().kind == "numpy"
    cr.use_torch_random_streams()
    try:
        assert cr.default_generator.kind == "torch" and cr.Generator().kind == "torch"
        cr.manual_seed(0)
        same(cr.randn(20), (torch.manual_seed(0), torch.randn(20))[1])
    finally:
        cr.use_torch_random_streams(False)
    cr.manual_seed(0)
    np.testing.assert_array_equal(cr.randn(20).numpy(), before)


def test_switching_reseeds_with_the_last_seed_and_generators_choose_their_kind():
    cr.manual_seed(11)
    cr.use_torch_random_streams()
    try:
        same(cr.rand(4), (torch.manual_seed(11), torch.rand(4))[1])
    finally:
        cr.use_torch_random_streams(False)
    g = cr.Generator(kind="torch").manual_seed(12)
    same(cr.randn(30, generator=g), torch.randn(30, generator=torch.Generator().manual_seed(12)))
    with pytest.raises(ValueError, match="'numpy' or 'torch'"):
        cr.Generator(kind="mt")


def test_the_environment_variable_starts_a_program_in_torch_mode():
    import os
    import subprocess
    import sys

    code = "import chainrule as cr; cr.manual_seed(0); print(cr.default_generator.kind, cr.randn(3).tolist())"
    env = {**os.environ, "CHAINRULE_RANDOM_STREAMS": "torch"}
    out = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True).stdout
    assert out.split(" ", 1)[0] == "torch"
    assert json.loads(out.split(" ", 1)[1]) == (torch.manual_seed(0), torch.randn(3))[1].tolist()
    env["CHAINRULE_RANDOM_STREAMS"] = "pcg"
    bad = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert bad.returncode != 0 and "expected 'numpy' (the default) or 'torch'" in bad.stderr


def test_state_round_trips_through_json(torch_streams):
    cr.manual_seed(13)
    cr.randn(3)  # leaves a cached normal behind
    state = json.loads(json.dumps(cr.default_generator.get_state()))
    first = cr.randn(5).numpy(), cr.rand(700).numpy()
    cr.default_generator.set_state(state)
    np.testing.assert_array_equal(cr.randn(5).numpy(), first[0])
    np.testing.assert_array_equal(cr.rand(700).numpy(), first[1])
    with pytest.raises(ValueError, match="torch-kind"):
        cr.default_generator.set_state(np.random.default_rng(0).bit_generator.state)


def test_numpy_methods_draw_from_the_torch_stream(torch_streams):
    """Data sets and samplers call NumPy's Generator methods: they work, and stay on the one stream."""
    rng = as_rng(None)
    assert isinstance(rng.random(), float) and rng.random((2, 3)).shape == (2, 3)
    assert rng.normal(np.zeros(4), 2.0).shape == (4,) and rng.uniform(1, 2, 5).min() >= 1
    assert sorted(rng.permutation(6).tolist()) == list(range(6))
    assert set(rng.choice(10, 10, replace=False).tolist()) == set(range(10))
    assert rng.choice(3, 50, p=[0, 0, 1]).tolist() == [2] * 50
    assert 0 <= rng.integers(5) < 5 and rng.integers(0, 3, 100, endpoint=True).max() == 3
    x = np.arange(8)
    rng.shuffle(x)
    assert sorted(x.tolist()) == list(range(8))
    assert cr.data.toy.spiral(n_samples=20)[0].shape[0] > 0  # a toy data set, drawn in torch mode

"""Tensor creation, dtype rules, attributes, printing and the errors that teach."""

import numpy as np
import pytest
import torch

import chainrule as cr


@pytest.mark.parametrize(
    "data",
    [1.5, 3, True, [1, 2], [1.0, 2], [[True, False]], np.array([1.0, 2.0]), np.array([1, 2], np.int32),
     np.float32(2.0), np.array([1, 2])],
)
def test_dtype_rules_match_torch(data):
    c, t = cr.tensor(data), torch.tensor(data)
    assert str(c.dtype).split(".")[1] == str(t.dtype).split(".")[1]
    assert c.tolist() == t.tolist()


def test_default_dtype():
    cr.set_default_dtype(cr.float64)
    assert cr.tensor(1.5).dtype == cr.float64 and cr.zeros(2).dtype == cr.float64
    assert cr.get_default_dtype() == cr.float64
    with pytest.raises(TypeError, match="floating-point"):
        cr.set_default_dtype(cr.int64)


def test_tensor_copies_but_from_numpy_shares():
    a = np.zeros(3)
    t, s = cr.tensor(a), cr.from_numpy(a)
    a[0] = 5
    assert t[0].item() == 0 and s[0].item() == 5


def test_creation_functions():
    assert cr.zeros(2, 3).shape == (2, 3) and cr.ones((2,)).tolist() == [1.0, 1.0]
    assert cr.full((2,), 7).dtype == cr.int64 and cr.full((2,), 0.5).tolist() == [0.5, 0.5]
    assert cr.arange(5).tolist() == [0, 1, 2, 3, 4] and cr.arange(5).dtype == cr.int64
    assert cr.arange(0, 1, 0.25).dtype == cr.float32
    assert cr.linspace(0, 1, 5).tolist() == [0.0, 0.25, 0.5, 0.75, 1.0]
    assert cr.eye(3).sum().item() == 3 and cr.empty(2, 2).shape == (2, 2)
    x = cr.ones(2, 3, dtype=cr.float64)
    assert cr.zeros_like(x).dtype == cr.float64 and cr.ones_like(x).shape == (2, 3)
    assert cr.randint(0, 10, (100,)).max().item() < 10 and cr.randint(3, (4,)).shape == (4,)
    assert cr.rand(1000).min().item() >= 0 and abs(cr.randn(10000).mean().item()) < 0.05
    assert sorted(cr.randperm(5).tolist()) == [0, 1, 2, 3, 4]
    assert cr.zeros(2, requires_grad=True).requires_grad
    assert cr.arange(3, 0, -1).tolist() == [3, 2, 1] and cr.arange(0).shape == (0,)


@pytest.mark.parametrize(
    "call,match",
    [
        (lambda: cr.randint(5, 2, (3,)), r"low \(5\) must be less than high \(2\)"),
        (lambda: cr.arange(0, 10, 0), "step must be nonzero"),
        (lambda: cr.arange(10, 0), "negative step"),
    ],
)
def test_creation_errors_name_the_problem(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_manual_seed_and_generators_are_reproducible():
    cr.manual_seed(42)
    a = cr.randn(5)
    cr.manual_seed(42)
    assert cr.randn(5).tolist() == a.tolist()
    g1, g2 = cr.Generator().manual_seed(1), cr.Generator().manual_seed(1)
    assert cr.rand(3, generator=g1).tolist() == cr.rand(3, generator=g2).tolist()


def test_attributes_and_conversions():
    x = cr.tensor([[1.0, 2.0], [3.0, 4.0]], requires_grad=True)
    assert x.shape == (2, 2) and x.ndim == 2 and x.size() == (2, 2) and x.size(1) == 2 and x.numel() == 4
    assert x.dim() == 2 and len(x) == 2 and x.T.tolist() == [[1.0, 3.0], [2.0, 4.0]]
    assert isinstance(x.numpy(), np.ndarray) and x.is_leaf and x.grad is None
    d = x.detach()
    assert not d.requires_grad and np.shares_memory(d.numpy(), x.numpy())
    assert x.sum().item() == 10.0 and float(x[0, 0]) == 1.0 and int(cr.tensor(3)) == 3
    assert x.to(cr.float64).dtype == cr.float64 and x.double().dtype == cr.float64
    assert x.long().dtype == cr.int64 and (x > 2).dtype == cr.bool and not (x > 2).requires_grad
    c = x.clone()
    assert c.grad_fn.name() == "CloneBackward0" and not np.shares_memory(c.detach().numpy(), x.numpy())
    assert [r.tolist() for r in x] == [[1.0, 2.0], [3.0, 4.0]]


def test_comparisons_and_identity_hashing():
    a, b = cr.tensor([1, 2, 3]), cr.tensor([3, 2, 1])
    assert (a == b).tolist() == [False, True, False] and (a < b).tolist() == [True, False, False]
    assert len({a, b, a}) == 2


def test_inplace_ops_without_grad():
    x = cr.zeros(3)
    x.add_(1).mul_(3)
    x.sub_(cr.ones(3), alpha=2)
    x.div_(2)
    assert x.tolist() == [0.5, 0.5, 0.5]
    x.fill_(7)
    x.copy_(cr.tensor([1.0, 2.0, 3.0]))
    assert x.tolist() == [1.0, 2.0, 3.0]
    x.zero_()
    assert x.tolist() == [0.0, 0.0, 0.0]
    x[1] = 5
    assert x.tolist() == [0.0, 5.0, 0.0]
    with pytest.raises(RuntimeError, match=r"shape \(3,\).*shape \(4,\)"):
        x.add_(cr.ones(4))


def test_repr_like_torch():
    assert repr(cr.tensor([1.0, 2.5])) == "tensor([1.0000, 2.5000])"
    assert repr(cr.tensor(3.0)) == "tensor(3.)"
    assert repr(cr.tensor([1, 2])) == "tensor([1, 2])"
    assert repr(cr.tensor([1.0], requires_grad=True)) == "tensor([1.], requires_grad=True)"
    assert repr(cr.tensor([1.0], dtype=cr.float64)) == "tensor([1.], dtype=chainrule.float64)"
    assert "grad_fn=<MulBackward0>" in repr(cr.tensor(2.0, requires_grad=True) * 2)
    assert repr(cr.float32) == "chainrule.float32"


def test_errors_that_teach():
    with pytest.raises(ValueError, match=r"matmul: shapes \(3, 4\) and \(5, 2\) cannot be multiplied"):
        cr.ones(3, 4) @ cr.ones(5, 2)
    with pytest.raises(ValueError, match=r"add: shapes \(3,\) and \(4,\) are incompatible"):
        cr.ones(3) + cr.ones(4)
    with pytest.raises(TypeError, match="strings"):
        cr.tensor(["a", "b"])
    with pytest.raises(TypeError, match="objects|rectangular"):
        cr.tensor([[1, 2], [3]])
    with pytest.raises(TypeError, match="objects"):
        cr.tensor(np.array([object()]))
    with pytest.raises(IndexError, match="Dimension out of range"):
        cr.ones(2, 3).sum(dim=2)
    with pytest.raises(RuntimeError, match=r"shape '\[4, 4\]' is invalid for input of size 6"):
        cr.ones(2, 3).reshape(4, 4)
    with pytest.raises(RuntimeError, match="unsupported device 'cuda'"):
        cr.zeros(2, device="cuda")
    with pytest.raises(ValueError, match="cannot be converted to a Python number"):
        cr.ones(2).item()
    with pytest.raises(RuntimeError, match="only floating point"):
        cr.tensor([1, 2], requires_grad=True)
    with pytest.raises(RuntimeError, match=r"mean: dim \[0, -2\] names the same dimension more than once"):
        cr.ones(2, 3).mean(dim=(0, -2))
    with pytest.raises(TypeError, match="'tpu' is neither a dtype .* nor a device"):
        cr.ones(2).to("tpu")


def test_type_promotion_like_torch():
    ints, f32, f64 = cr.arange(1, 4), cr.ones(3), cr.ones(3, dtype=cr.float64)
    cases = [(ints * 0.5, "float32"), (ints / 2, "float32"), (ints / ints, "float32"), (2.0 - ints, "float32"),
             (ints * 2, "int64"), (f32 * ints, "float32"), (f32 * cr.tensor(2.0, dtype=cr.float64), "float32"),
             (f32 + f64, "float64"), (f32 ** ints, "float32")]
    for got, want in cases:
        assert got.dtype == getattr(cr, want)


def test_sampling_functions():
    g = cr.Generator().manual_seed(0)
    probs = cr.tensor([0.1, 0.6, 0.3])
    draws = cr.multinomial(probs, 20000, replacement=True, generator=g)
    assert draws.dtype == cr.int64 and draws.shape == (20000,)
    np.testing.assert_allclose(np.bincount(draws.numpy(), minlength=3) / 20000, probs.numpy(), atol=0.02)
    rows = cr.multinomial(cr.ones(4, 6), 6, generator=g)  # without replacement: a permutation per row
    assert all(sorted(r) == list(range(6)) for r in rows.tolist())
    coins = cr.bernoulli(cr.full((20000,), 0.25), generator=g)
    assert coins.dtype == cr.float32 and abs(coins.mean().item() - 0.25) < 0.02
    x = cr.zeros(2, 3, dtype=cr.float64)
    assert cr.randn_like(x).dtype == cr.float64 and cr.rand_like(x).shape == (2, 3)
    assert cr.randint_like(x, 3, 5).min().item() >= 3 and cr.normal(x, cr.ones(3)).shape == (2, 3)
    assert cr.normal(0.0, 1.0, size=(4,)).shape == (4,)
    with pytest.raises(ValueError, match="without replacement from 3 categories"):
        cr.multinomial(probs, 4)
    with pytest.raises(ValueError, match="non-negative, finite weights"):
        cr.multinomial(cr.tensor([1.0, -1.0]), 1)
    with pytest.raises(ValueError, match=r"probabilities must be in \[0, 1\]"):
        cr.bernoulli(cr.tensor([1.5]))


def test_repr_is_torchs_for_every_kind_of_tensor():
    torch = pytest.importorskip("torch")
    g = torch.Generator().manual_seed(0)
    cases = [torch.tensor(2.4566), torch.tensor(3), torch.tensor(True), torch.tensor(-0.0),
             torch.tensor(1e-8),
             torch.tensor([1.0, 2.5]), torch.tensor([1e-5, 1.0]), torch.tensor([1e10, 1.0]),
             torch.tensor([-1e-20, 3.0]),
             torch.tensor([float("nan"), 1.0, float("inf")]), torch.tensor([0.1, 0.25, 100.0]),
             torch.tensor([123456.0, 0.5]), torch.arange(12.0).reshape(3, 4), torch.zeros(2, 3, dtype=torch.int32),
             torch.tensor([1.123456789], dtype=torch.float64), torch.tensor([1.5, -2.0], dtype=torch.float16),
             torch.tensor([True, False]), torch.tensor([], dtype=torch.float32), torch.zeros(0, 3),
             torch.tensor([], dtype=torch.int64), torch.randn(40, generator=g), torch.randn(3, 4, 5, generator=g),
             torch.randn(2000, generator=g), torch.randn(50, 50, generator=g) * 100,
             torch.randn(3, 30, dtype=torch.float64, generator=g), torch.randint(-1000, 1000, (7, 40), generator=g)]
    for t in cases:
        assert repr(cr.tensor(t.numpy())) == repr(t).replace("torch.", "chainrule."), repr(t)
    w = torch.randn(3, generator=g, requires_grad=True)
    cw = cr.tensor(w.detach().numpy(), requires_grad=True)
    assert repr(cw) == repr(w)
    assert repr((cw * 2).sum()) == repr((w * 2).sum())


def test_arange_with_float_steps_is_torchs_bit_for_bit():
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(1)
    cases = [(-8, 8, 0.1), (10, 0, -0.3), (0, 1, 0.1), (0.5, 10, 0.7), (-3, 3, 0.013), (0, 100, 0.37), (-1, 1, 0.01)]
    cases += [(*np.round(rng.uniform(-10, 10, 2), 2).tolist(), float(np.round(rng.uniform(0.01, 1), 3)))
              for _ in range(30)]
    for s, e, st in cases:
        st = st if (e - s) * st > 0 else -st
        for cdt, tdt in [(cr.float32, torch.float32), (cr.float64, torch.float64)]:
            np.testing.assert_array_equal(cr.arange(s, e, st, dtype=cdt).numpy(),
                                          torch.arange(s, e, st, dtype=tdt).numpy())
    x = cr.arange(-8, 8, 0.1)
    assert x[150].item() == 7.0 and x[80].item() > 0 and len(x) == 160  # torch's 7.0 and its 4.4e-16
    assert cr.arange(0, 5, 1.5, dtype=cr.int64).tolist() == torch.arange(0, 5, 1.5, dtype=torch.int64).tolist()

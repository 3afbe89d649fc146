"""Names that real course programs use and that failed them before: legacy tensor types, histogram/histc,
LazyLinear, normal(requires_grad=), samplers and torch.utils.data's submodule paths -- each against torch."""

import numpy as np
import pytest
import torch

import chainrule as cr
from chainrule import nn


def test_legacy_tensor_types_construct_check_and_cast_as_torchs():
    assert cr.FloatTensor([1, 2]).dtype == cr.float32 and cr.LongTensor([1.7, 2]).tolist() == [1, 2]
    assert cr.FloatTensor(2, 3).shape == (2, 3) and cr.LongTensor(3).tolist() == [0, 0, 0]
    assert isinstance(cr.zeros(2), cr.FloatTensor) and not isinstance(cr.zeros(2), cr.LongTensor)
    assert cr.zeros(2).type() == "chainrule.FloatTensor" == torch.zeros(2).type().replace("torch", "chainrule")
    assert cr.ones(2).type(cr.LongTensor).dtype == cr.int64
    assert cr.ones(2).type("torch.DoubleTensor").dtype == cr.float64
    assert cr.ByteTensor([1]).dtype == cr.uint8 and cr.BoolTensor([1, 0]).tolist() == [True, False]


@pytest.mark.parametrize("bins", [4, 7, [0.0, 1.0, 3.0, 5.0]])
def test_histogram_and_histc_match_torch(bins):
    x = np.random.default_rng(0).uniform(-1, 5, 50).astype(np.float32)
    cb = cr.tensor(bins) if isinstance(bins, list) else bins
    tb = torch.tensor(bins) if isinstance(bins, list) else bins
    h, e = cr.histogram(cr.tensor(x), bins=cb)
    th, te = torch.histogram(torch.tensor(x), bins=tb)
    np.testing.assert_array_equal(h.numpy(), th.numpy())
    np.testing.assert_allclose(e.numpy(), te.numpy(), rtol=1e-6)
    if not isinstance(bins, list):
        np.testing.assert_array_equal(cr.histc(cr.tensor(x), bins=bins, min=0, max=4).numpy(),
                                      torch.histc(torch.tensor(x), bins=bins, min=0, max=4).numpy())
        np.testing.assert_array_equal(cr.histc(cr.tensor(x), bins=bins).numpy(),
                                      torch.histc(torch.tensor(x), bins=bins).numpy())


def test_lazy_linear_takes_its_input_size_at_the_first_call_and_becomes_linear():
    m = nn.Sequential(nn.LazyLinear(5), nn.ReLU(), nn.LazyLinear(2))
    params = list(m.parameters())
    opt = cr.optim.SGD(m.parameters(), lr=0.1)  # built before the shapes are known, as in torch's examples
    m(cr.randn(4, 3)).sum().backward()
    opt.step()
    assert [tuple(p.shape) for p in m.parameters()] == [(5, 3), (5,), (2, 5), (2,)]
    assert all(a is b for a, b in zip(params, m.parameters())) and type(m[0]) is nn.Linear
    assert repr(m[0]) == repr(torch.nn.Linear(3, 5))


def test_normal_with_requires_grad_and_the_mv_function():
    x = cr.normal(0.0, 1.0, (3,), requires_grad=True)
    assert x.requires_grad and x.is_leaf
    a, v = np.arange(6.0).reshape(2, 3), np.array([1.0, -1.0, 2.0])
    np.testing.assert_allclose(cr.mv(cr.tensor(a), cr.tensor(v)).numpy(), torch.mv(torch.tensor(a), torch.tensor(v)))


def test_samplers_and_torchs_import_paths():
    from chainrule.utils.data.dataloader import DataLoader
    from chainrule.utils.data.dataset import TensorDataset
    from chainrule.utils.data.sampler import BatchSampler, RandomSampler, SequentialSampler, SubsetRandomSampler

    ds = TensorDataset(cr.arange(10.0), cr.arange(10))
    seen = [y.tolist() for _, y in DataLoader(ds, batch_size=4, sampler=SubsetRandomSampler(range(6), generator=0))]
    assert sorted(sum(seen, [])) == list(range(6)) and [len(b) for b in seen] == [4, 2]
    batches = DataLoader(ds, batch_sampler=BatchSampler(SequentialSampler(ds), 3, drop_last=True))
    assert [y.tolist() for _, y in batches] == [[0, 1, 2], [3, 4, 5], [6, 7, 8]] and len(batches) == 3
    loader = DataLoader(ds, batch_size=4, sampler=RandomSampler(ds, replacement=True, num_samples=7))
    assert len(loader) == 2 and sum(len(y) for _, y in loader) == 7
    with pytest.raises(ValueError, match="mutually exclusive with shuffle"):
        DataLoader(ds, sampler=SequentialSampler(ds), shuffle=True)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        DataLoader(ds, batch_size=2, batch_sampler=BatchSampler(SequentialSampler(ds), 3, False))

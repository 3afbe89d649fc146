"""DataLoader (dataloader.py) and the dataset classes it loads from (dataset_classes.py: Dataset, TensorDataset,
random_split, ConcatDataset), compared with torch.utils.data where they overlap."""

from collections import namedtuple

import numpy as np
import pytest
import torch
import torch.utils.data as tud

import chainrule as cr
from chainrule.data import DataLoader, Dataset, Subset, TensorDataset, default_collate, random_split


def make(n=23):
    X = np.arange(n * 3, dtype=np.float32).reshape(n, 3)
    y = np.arange(n, dtype=np.int64)
    return TensorDataset(cr.tensor(X), cr.tensor(y)), X, y


class Plain(Dataset):
    """A map-style dataset read sample by sample (the general path)."""

    def __init__(self, n):
        self.n = n

    def __getitem__(self, i):
        return cr.tensor([float(i), 2.0 * i]), i

    def __len__(self):
        return self.n


def epoch_ids(loader):
    return np.concatenate([b[1].numpy() for b in loader])


@pytest.mark.parametrize("dataset", ["tensor", "plain", "subset"])
@pytest.mark.parametrize("shuffle", [False, True])
def test_every_sample_once_per_epoch(dataset, shuffle):
    ds = {"tensor": lambda: make(23)[0], "plain": lambda: Plain(23),
          "subset": lambda: Subset(make(40)[0], list(range(5, 28)))}[dataset]()
    loader = DataLoader(ds, batch_size=5, shuffle=shuffle)
    for _ in range(2):
        ids = epoch_ids(loader)
        expected = np.arange(5, 28) if dataset == "subset" else np.arange(23)
        assert np.array_equal(np.sort(ids), expected)
        if not shuffle:
            assert np.array_equal(ids, expected)


def test_fast_path_rows_match_their_labels():
    ds, X, y = make(23)
    for xb, yb in DataLoader(ds, batch_size=4, shuffle=True):
        assert np.array_equal(xb.numpy(), X[yb.numpy()])
        assert xb.dtype == cr.float32 and yb.dtype == cr.int64


def test_reshuffles_every_epoch_and_manual_seed_repeats():
    ds = make(50)[0]
    cr.manual_seed(1)
    loader = DataLoader(ds, batch_size=8, shuffle=True)
    a1, a2 = epoch_ids(loader), epoch_ids(loader)
    assert not np.array_equal(a1, a2)
    cr.manual_seed(1)
    assert np.array_equal(epoch_ids(loader), a1) and np.array_equal(epoch_ids(loader), a2)


@pytest.mark.parametrize("make_gen", [lambda: cr.Generator().manual_seed(3), lambda: 3,
                                      lambda: np.random.default_rng(3)])
def test_generator_argument(make_gen):
    ds = make(30)[0]
    first = [epoch_ids(DataLoader(ds, 4, True, generator=g)) for g in (make_gen(), make_gen())]
    assert np.array_equal(*first)
    g = make_gen()
    loader = DataLoader(ds, 4, True, generator=g)
    assert not np.array_equal(epoch_ids(loader), epoch_ids(loader))


def test_fast_and_general_paths_agree():
    class Sub(TensorDataset):  # a subclass takes the general path
        pass

    ds, X, y = make(17)
    slow = Sub(cr.tensor(X), cr.tensor(y))
    for shuffle in (False, True):
        fa = list(DataLoader(ds, 5, shuffle, generator=7, drop_last=True))
        sl = list(DataLoader(slow, 5, shuffle, generator=7, drop_last=True))
        assert len(fa) == len(sl) == 3
        for (xa, ya), (xb, yb) in zip(fa, sl):
            assert np.array_equal(xa.numpy(), xb.numpy()) and np.array_equal(ya.numpy(), yb.numpy())


def test_batch_is_a_copy():
    ds, X, _ = make(6)
    xb, _ = next(iter(DataLoader(ds, 3)))
    xb.data[:] = -1
    assert np.array_equal(ds.tensors[0].numpy(), X)


@pytest.mark.parametrize("n, bs", [(10, 3), (10, 5), (1, 4), (0, 2), (100, 7)])
@pytest.mark.parametrize("drop_last", [False, True])
def test_len_and_batch_shapes_match_torch(n, bs, drop_last):
    X = np.random.default_rng(0).random((n, 2, 3)).astype(np.float32)
    y = np.arange(n)
    ours = DataLoader(TensorDataset(cr.tensor(X), cr.tensor(y)), batch_size=bs, drop_last=drop_last)
    ref = tud.DataLoader(tud.TensorDataset(torch.from_numpy(X), torch.from_numpy(y)), batch_size=bs,
                         drop_last=drop_last)
    assert len(ours) == len(ref)
    got = [[tuple(t.shape) for t in b] for b in ours]
    want = [[tuple(t.shape) for t in b] for b in ref]
    assert got == want
    for (xa, ya), (xb, yb) in zip(ours, ref):
        assert np.array_equal(xa.numpy(), xb.numpy()) and np.array_equal(ya.numpy(), yb.numpy())


def test_single_tensor_dataset_gives_a_one_element_list():
    ds = TensorDataset(cr.arange(5))
    ref = tud.TensorDataset(torch.arange(5))
    ours, theirs = next(iter(DataLoader(ds, 2))), next(iter(tud.DataLoader(ref, 2)))
    assert type(ours) is type(theirs) is list and len(ours) == len(theirs) == 1


def test_default_collate_matches_torch():
    Point = namedtuple("Point", "x y")
    samples = [{"a": 1.5, "b": (i, np.ones(2) * i), "s": f"n{i}", "p": Point(i, True)} for i in range(3)]
    ours, ref = default_collate(samples), tud.default_collate(samples)
    assert ours.keys() == ref.keys()
    assert ours["a"].dtype == cr.float64 and ref["a"].dtype == torch.float64
    assert np.array_equal(ours["a"].numpy(), ref["a"].numpy())
    assert isinstance(ours["b"], list) and isinstance(ref["b"], list)
    assert ours["b"][0].dtype == cr.int64 and np.array_equal(ours["b"][1].numpy(), ref["b"][1].numpy())
    assert ours["s"] == ref["s"] == ["n0", "n1", "n2"]
    assert isinstance(ours["p"], Point) and ours["p"].y.dtype == cr.bool
    with pytest.raises(RuntimeError, match=r"sample 0 has \(2,\), sample 1 has \(3,\)"):
        default_collate([cr.zeros(2), cr.zeros(3)])
    with pytest.raises(TypeError, match="cannot batch samples of type object"):
        default_collate([object()])


def test_general_path_collates_tuples():
    xb, yb = next(iter(DataLoader(Plain(5), batch_size=3)))
    assert tuple(xb.shape) == (3, 2) and yb.dtype == cr.int64 and np.array_equal(yb.numpy(), [0, 1, 2])


def test_collate_fn_and_no_batching():
    loader = DataLoader(Plain(4), batch_size=2, collate_fn=lambda batch: [s[1] for s in batch])
    assert list(loader) == [[0, 1], [2, 3]]
    samples = list(DataLoader(Plain(3), batch_size=None))
    assert len(samples) == 3 and samples[2][1] == 2


def test_drop_last():
    ds = make(10)[0]
    sizes = [len(b[1]) for b in DataLoader(ds, 4, True, drop_last=True)]
    assert sizes == [4, 4] and len(DataLoader(ds, 4, drop_last=True)) == 2
    assert [len(b[1]) for b in DataLoader(ds, 4)] == [4, 4, 2] and len(DataLoader(ds, 4)) == 3


def test_transform_applies_per_batch():
    ds = TensorDataset(cr.zeros(6, 2), cr.arange(6), transform=lambda x: x + 1)
    xb, _ = next(iter(DataLoader(ds, 6)))
    assert np.all(xb.numpy() == 1)
    assert np.all(ds[0][0].numpy() == 1)


def test_tensor_dataset_errors_and_indexing():
    with pytest.raises(ValueError, match=r"tensor 0: \(3, 2\), tensor 1: \(4,\)"):
        TensorDataset(cr.zeros(3, 2), cr.zeros(4))
    with pytest.raises(ValueError, match="at least one tensor"):
        TensorDataset()
    with pytest.raises(ValueError, match="0-d"):
        TensorDataset(cr.tensor(1.0))
    ds, X, y = make(5)
    x1, y1 = ds[1]
    assert np.array_equal(x1.numpy(), X[1]) and y1.item() == 1 and len(ds) == 5
    arr = TensorDataset(X, y)  # NumPy arrays are accepted
    assert isinstance(arr.tensors[0], cr.Tensor) and len(arr) == 5


def test_dataset_base_needs_getitem():
    with pytest.raises(NotImplementedError, match="__getitem__"):
        Dataset()[0]


@pytest.mark.parametrize("kwargs, error, message", [
    ({"batch_size": 0}, ValueError, "batch_size must be a positive int"),
    ({"batch_size": 2.5}, ValueError, "batch_size"),
    ({"batch_size": None, "drop_last": True}, ValueError, "drop_last"),
    ({"shuffle": "yes"}, TypeError, "shuffle"),
    ({"generator": "seed"}, TypeError, "generator"),
    ({"collate_fn": 3}, TypeError, "collate_fn"),
])
def test_loader_errors(kwargs, error, message):
    with pytest.raises(error, match=message):
        DataLoader(make(4)[0], **kwargs)
    with pytest.raises(TypeError, match="must have __getitem__ and __len__"):
        DataLoader(5)


@pytest.mark.parametrize("n, lengths", [(10, [3, 7]), (10, [0.3, 0.7]), (11, [0.5, 0.5]), (7, [0.2, 0.3, 0.5]),
                                        (100, [0.8, 0.1, 0.1]), (3, [1 / 3] * 3)])
def test_random_split_sizes_match_torch(n, lengths):
    ours = random_split(make(n)[0], lengths, generator=cr.Generator().manual_seed(0))
    ref = tud.random_split(tud.TensorDataset(torch.arange(n)), lengths, generator=torch.Generator().manual_seed(0))
    assert [len(s) for s in ours] == [len(s) for s in ref]
    ids = np.concatenate([epoch_ids(DataLoader(s, 4)) if len(s) else np.array([], int) for s in ours])
    assert np.array_equal(np.sort(ids), np.arange(n))  # disjoint and complete


def test_random_split_is_seeded():
    ds = make(20)[0]
    cr.manual_seed(4)
    a = [s.indices for s in random_split(ds, [0.5, 0.5])]
    cr.manual_seed(4)
    assert a == [s.indices for s in random_split(ds, [0.5, 0.5])]
    assert a != [s.indices for s in random_split(ds, [0.5, 0.5])]


def test_random_split_errors():
    ds = make(10)[0]
    with pytest.raises(ValueError, match=r"sum to 9, but the dataset has 10"):
        random_split(ds, [4, 5])
    with pytest.raises(ValueError, match="fractions"):
        random_split(ds, [0.5, 0.6])
    with pytest.warns(UserWarning, match=r"split at index \d is 0"):
        random_split(make(2)[0], [0.9, 0.05, 0.05])


def test_concat_dataset_matches_torch():
    a, b = make(5)[0], make(3)[0]
    ta = tud.TensorDataset(*(torch.from_numpy(t.numpy()) for t in a.tensors))
    tb = tud.TensorDataset(*(torch.from_numpy(t.numpy()) for t in b.tensors))
    ours, theirs = cr.utils.data.ConcatDataset([a, b]), tud.ConcatDataset([ta, tb])
    assert len(ours) == len(theirs) == 8 and ours.cumulative_sizes == theirs.cumulative_sizes
    for i in [0, 4, 5, 7, -1, -8]:
        assert ours[i][1].item() == theirs[i][1].item()
    assert [y.tolist() for _, y in DataLoader(ours, batch_size=3)] == [[0, 1, 2], [3, 4, 0], [1, 2]]
    with pytest.raises(IndexError, match="out of range for 8 samples"):
        ours[8]


@pytest.mark.parametrize("shuffle", [True, False])
@pytest.mark.parametrize("own_generator", [False, True])
@pytest.mark.parametrize("batch_size, drop_last", [(4, False), (5, False), (4, True), (None, False)])
def test_loader_order_and_its_draws_are_torchs_in_torch_mode(shuffle, own_generator, batch_size, drop_last,
                                                            torch_streams):
    """torch's loader draws a base seed every epoch, its sampler a permutation (from a fresh generator
    seeded from the default one, or from the loader's); later draws must land where torch's do."""
    torch.manual_seed(5)
    cr.manual_seed(5)
    tg, cg = (torch.Generator().manual_seed(9), cr.Generator().manual_seed(9)) if own_generator else (None, None)
    t = tud.DataLoader(tud.TensorDataset(torch.arange(10)), batch_size, shuffle, generator=tg, drop_last=drop_last)
    c = DataLoader(TensorDataset(cr.arange(10)), batch_size, shuffle, generator=cg, drop_last=drop_last)
    for _ in range(2):
        assert [b[0].tolist() for b in c] == [b[0].tolist() for b in t]
        np.testing.assert_array_equal(cr.rand(3).numpy(), torch.rand(3).numpy())
        if own_generator:
            np.testing.assert_array_equal(cr.rand(3, generator=cg).numpy(), torch.rand(3, generator=tg).numpy())


def test_random_split_is_torchs_in_torch_mode(torch_streams):
    torch.manual_seed(2)
    cr.manual_seed(2)
    t = [list(s.indices) for s in tud.random_split(range(20), [5, 15])]
    assert [list(s.indices) for s in random_split(list(range(20)), [5, 15])] == t

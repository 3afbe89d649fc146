"""safetensors: torch ↔ chainrule round trips, the reference implementation as the oracle, and the API."""

import io

import numpy as np
import pytest
import torch

import chainrule as cr
import chainrule.nn as nn
from chainrule import safetensors as S
from extras import require

st_torch = require("safetensors.torch")
st_numpy = require("safetensors.numpy")


def mlp_pair():
    """The same MLP in torch and chainrule (every layer with a state: Linear, BatchNorm1d, PReLU, LayerNorm)."""
    tm = torch.nn.Sequential(torch.nn.Linear(5, 8), torch.nn.BatchNorm1d(8), torch.nn.PReLU(8), torch.nn.Dropout(0.1),
                             torch.nn.Linear(8, 6), torch.nn.LayerNorm(6), torch.nn.GELU(), torch.nn.Linear(6, 3))
    cm = nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.PReLU(8), nn.Dropout(0.1),
                       nn.Linear(8, 6), nn.LayerNorm(6), nn.GELU(), nn.Linear(6, 3))
    return tm, cm


def trained_torch(tm):
    """A few training-mode forward passes, so the running statistics are not the initial 0 and 1."""
    torch.manual_seed(0)
    with torch.no_grad():
        for _ in range(3):
            tm(torch.randn(16, 5) * 3 + 1)
        for p in tm.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    return tm.eval()


X = np.random.default_rng(0).normal(size=(7, 5)).astype(np.float32)


def test_torch_state_dict_saved_with_safetensors_loads_into_chainrule(tmp_path):
    tm, cm = mlp_pair()
    trained_torch(tm)
    st_torch.save_file(tm.state_dict(), tmp_path / "t.safetensors")
    state = cr.load(tmp_path / "t.safetensors")
    assert list(state) and set(state) == set(tm.state_dict())
    cm.load_state_dict(state)  # strict: every key matches
    cm.eval()
    np.testing.assert_allclose(cm(cr.from_numpy(X)).numpy(), tm(torch.from_numpy(X)).detach().numpy(), atol=1e-5)
    assert state["1.num_batches_tracked"].dtype == cr.int64 and state["1.num_batches_tracked"].shape == ()


def test_chainrule_state_dict_loads_into_torch(tmp_path):
    tm, cm = mlp_pair()
    cm.train()
    for _ in range(3):
        cm(cr.from_numpy(X * 2 + 1))
    cm.eval()
    cr.save(cm.state_dict(), tmp_path / "c.safetensors")
    missing, unexpected = tm.load_state_dict(st_torch.load_file(tmp_path / "c.safetensors"), strict=True)
    assert not missing and not unexpected
    tm.eval()
    np.testing.assert_allclose(tm(torch.from_numpy(X)).detach().numpy(), cm(cr.from_numpy(X)).numpy(), atol=1e-5)


def test_embedding_round_trip_both_ways(tmp_path):
    te, ce = torch.nn.Embedding(10, 4, padding_idx=0), nn.Embedding(10, 4, padding_idx=0)
    st_torch.save_file(te.state_dict(), tmp_path / "e.safetensors", metadata={"format": "pt"})  # as transformers
    ce.load_state_dict(cr.load(tmp_path / "e.safetensors"))
    idx = np.array([[1, 0, 9], [3, 3, 2]])
    np.testing.assert_array_equal(ce(cr.tensor(idx)).numpy(), te(torch.from_numpy(idx)).detach().numpy())
    cr.save(ce.state_dict(), tmp_path / "e2.safetensors")
    assert (tmp_path / "e.safetensors").read_bytes() == (tmp_path / "e2.safetensors").read_bytes()


ALL_DTYPES = ["?", "u1", "i1", "i2", "u2", "f2", "i4", "u4", "f4", "f8", "i8", "u8"]


def sample_arrays():
    rng = np.random.default_rng(1)
    d = {f"t.{dt}": (np.abs(rng.normal(size=(2, 3))) * 50).astype(dt) for dt in ALL_DTYPES}
    d.update({"scalar": np.array(7, np.int64), "empty": np.zeros((0, 3), np.float32),
              "big": rng.normal(size=(33, 17)).astype(np.float32), "a.b.weight": np.arange(5, dtype=np.float64)})
    return d


def test_bytes_are_the_reference_implementations():
    """The same bytes as safetensors' own writer (tensor order, header padding, alignment), every dtype."""
    d = sample_arrays()
    assert S.save(d) == st_numpy.save(d, metadata={"format": "pt"})
    assert S.save(d, metadata={"a": "1"}) == st_numpy.save(d, metadata={"a": "1"})


def test_reference_files_load_with_every_dtype(tmp_path):
    d = sample_arrays()
    st_numpy.save_file(d, tmp_path / "r.safetensors", metadata={"epoch": "3"})
    back = cr.load(tmp_path / "r.safetensors")
    assert set(back) == set(d)
    widened = {"i1": cr.int32, "i2": cr.int32, "u2": cr.int32, "u4": cr.int64, "u8": cr.int64}
    for k, a in d.items():
        np.testing.assert_array_equal(back[k].numpy(), a)
        assert back[k].shape == a.shape
        if k.startswith("t.") and k[2:] in widened:
            assert back[k].dtype == widened[k[2:]]
    assert S.read_metadata(tmp_path / "r.safetensors") == {"epoch": "3"}


def test_bfloat16_from_torch_loads_as_exact_float32(tmp_path):
    w = torch.randn(4, 5).to(torch.bfloat16)
    st_torch.save_file({"w": w}, tmp_path / "b.safetensors")
    back = cr.load(tmp_path / "b.safetensors")["w"]
    assert back.dtype == cr.float32
    np.testing.assert_array_equal(back.numpy(), w.float().numpy())


def test_loaded_tensors_are_writable_and_independent(tmp_path):
    cr.save({"a": cr.ones(3), "b": cr.zeros(2)}, tmp_path / "w.safetensors")
    back = cr.load(tmp_path / "w.safetensors")
    back["a"].add_(1)
    np.testing.assert_array_equal(back["a"].numpy(), 2)
    np.testing.assert_array_equal(back["b"].numpy(), 0)
    raw = (tmp_path / "w.safetensors").read_bytes()
    loaded = S.load(raw)
    loaded["a"].add_(1)  # never writes into the caller's bytes
    assert raw == (tmp_path / "w.safetensors").read_bytes()


def test_a_safetensors_file_under_another_name_is_recognised(tmp_path):
    cr.save({"w": cr.arange(4.0)}, tmp_path / "w.safetensors")
    (tmp_path / "w.bin").write_bytes((tmp_path / "w.safetensors").read_bytes())
    np.testing.assert_array_equal(cr.load(tmp_path / "w.bin")["w"].numpy(), np.arange(4.0))
    np.testing.assert_array_equal(cr.load(io.BytesIO((tmp_path / "w.bin").read_bytes()))["w"].numpy(), np.arange(4.0))


def test_what_safetensors_cannot_hold_is_refused_before_writing(tmp_path):
    p = tmp_path / "x.safetensors"
    with pytest.raises(TypeError, match="'optimizer' is a dict; safetensors holds tensors only.*chainrule's own"):
        cr.save({"model": cr.ones(2), "optimizer": {"lr": 0.1}}, p)
    with pytest.raises(TypeError, match="got a Sequential; save its state_dict"):
        cr.save(nn.Sequential(nn.Linear(2, 2)), p)
    with pytest.raises(TypeError, match="names must be non-empty strings"):
        cr.save({1: cr.ones(2)}, p)
    with pytest.raises(ValueError, match="'__metadata__' is reserved"):
        cr.save({"__metadata__": cr.ones(2)}, p)
    with pytest.raises(TypeError, match="dtype complex128, which safetensors cannot hold"):
        S.save_file({"c": np.ones(2, complex)}, p)
    with pytest.raises(TypeError, match="metadata must be a dict of str -> str"):
        S.save_file({"a": np.ones(2)}, p, metadata={"epoch": 3})
    assert not p.exists() and list(tmp_path.iterdir()) == []


def test_save_file_is_atomic_and_names_a_missing_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="the directory .*nope' does not exist"):
        cr.save({"a": cr.ones(1)}, tmp_path / "nope" / "m.safetensors")
    with pytest.raises(IsADirectoryError, match="model.safetensors"):
        S.save_file({"a": cr.ones(1)}, tmp_path)
    p = tmp_path / "m.safetensors"
    cr.save({"a": cr.ones(2)}, p)
    cr.save({"a": cr.zeros(3)}, p)  # replaced whole
    assert cr.load(p)["a"].shape == (3,) and sorted(x.name for x in tmp_path.iterdir()) == ["m.safetensors"]


def test_non_contiguous_and_big_endian_arrays_are_written_correctly():
    a = np.arange(12, dtype=np.float32).reshape(3, 4).T
    b = np.arange(3, dtype=">f8")
    back = S.load(S.save({"a": a, "b": b}))
    np.testing.assert_array_equal(back["a"].numpy(), a)
    np.testing.assert_array_equal(back["b"].numpy(), b)
    assert back["b"].dtype == cr.float64


def test_written_files_get_the_usual_permissions(tmp_path):
    """As open(path, "w") would make them (not tempfile's owner-only 0o600): other users can read a model."""
    cr.save({"a": cr.ones(1)}, tmp_path / "m.safetensors")
    cr.save({"a": cr.ones(1)}, tmp_path / "m.ckpt")
    (tmp_path / "plain").write_bytes(b"")
    want = (tmp_path / "plain").stat().st_mode & 0o777
    assert (tmp_path / "m.safetensors").stat().st_mode & 0o777 == want
    assert (tmp_path / "m.ckpt").stat().st_mode & 0o777 == want

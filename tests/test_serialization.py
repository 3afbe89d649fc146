"""chainrule.save / chainrule.load: round trips, file objects, atomic writes, and refusing bad files."""

import io
import json
import math
import os
import zipfile

import numpy as np
import pytest
import torch

import chainrule as cr
import chainrule.nn as nn
from chainrule.serialization import CheckpointError


def sample_obj():
    model = nn.Sequential(nn.Linear(3, 4), nn.BatchNorm1d(4), nn.ReLU(), nn.Linear(4, 2))
    return {
        "model": model.state_dict(),
        "optimizer": {"state": {0: {"momentum_buffer": cr.ones(4, 3), "step": 3}},
                      "param_groups": [{"params": [0, 1], "lr": 0.1, "betas": (0.9, 0.999), "nesterov": False,
                                        "foreach": None}]},
        "history": [1.5, float("nan"), float("inf"), -0.0],
        "array": np.arange(6, dtype=np.int32).reshape(2, 3),
        "scalar": np.float32(2.5),
        "param": nn.Parameter(cr.zeros(2, dtype=cr.float64)),
        "mask": np.array([True, False]),
        "name": "run-1 ✓",
        "nested": (1, [None, True, {"x": cr.tensor(1.0, requires_grad=True)}]),
    }


def assert_same(a, b):
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert_same(x, y)
    elif isinstance(a, cr.Tensor):
        assert a.dtype == b.dtype and a.requires_grad == b.requires_grad
        np.testing.assert_array_equal(a.numpy(), b.numpy())
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype
        np.testing.assert_array_equal(a, b)
    elif isinstance(a, float) and math.isnan(a):
        assert math.isnan(b)
    else:
        assert a == b and str(a) == str(b)


def test_round_trip_path_and_file_object(tmp_path):
    obj = sample_obj()
    p = tmp_path / "ckpt.crpt"
    cr.save(obj, p)
    back = cr.load(p)
    back["model"] = dict(back["model"])
    obj["model"] = dict(obj["model"])
    assert_same(obj, back)
    assert isinstance(back["param"], nn.Parameter)
    buf = io.BytesIO()
    cr.save(obj, buf)
    buf.seek(0)
    assert_same(obj, cr.load(buf))
    assert cr.load(str(p))["model"]["1.num_batches_tracked"].dtype == cr.int64
    assert os.listdir(tmp_path) == ["ckpt.crpt"]  # no temporary file left behind


def test_model_round_trip_gives_the_same_outputs(tmp_path):
    model = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 2))
    cr.save(model.state_dict(), tmp_path / "m.crpt")
    twin = nn.Sequential(nn.Linear(3, 8), nn.Tanh(), nn.Linear(8, 2))
    twin.load_state_dict(cr.load(tmp_path / "m.crpt"))
    x = cr.randn(5, 3)
    np.testing.assert_array_equal(model(x).numpy(), twin(x).numpy())


def test_torch_weights_through_a_checkpoint(tmp_path):
    tmodel = torch.nn.Sequential(torch.nn.Linear(3, 4), torch.nn.ReLU(), torch.nn.Linear(4, 1))
    cr.save({k: v.numpy() for k, v in tmodel.state_dict().items()}, tmp_path / "t.crpt")
    model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 1))
    model.load_state_dict(cr.load(tmp_path / "t.crpt"))
    x = np.random.default_rng(0).standard_normal((6, 3)).astype(np.float32)
    np.testing.assert_allclose(model(cr.tensor(x)).numpy(), tmodel(torch.tensor(x)).detach().numpy(), rtol=1e-5,
                               atol=1e-6)


def test_unsupported_values_are_refused_before_writing(tmp_path):
    p = tmp_path / "c.crpt"
    cr.save({"ok": 1}, p)
    with pytest.raises(TypeError, match=r"function at obj\['bad'\]\[1\]"):
        cr.save({"bad": [1, lambda: 0]}, p)
    with pytest.raises(TypeError, match="dtype object"):
        cr.save(np.array([{}], dtype=object), p)
    with pytest.raises(TypeError, match="dict key"):
        cr.save({(1, 2): 3}, p)
    assert cr.load(p) == {"ok": 1}  # the old file is intact
    assert os.listdir(tmp_path) == ["c.crpt"]


def test_saving_a_whole_model_points_to_its_state_dict(tmp_path):
    with pytest.raises(TypeError, match=r"cannot save a Sequential at obj.*save its state_dict\(\) instead"):
        cr.save(cr.nn.Sequential(cr.nn.Linear(2, 2)), tmp_path / "m.pt")
    with pytest.raises(TypeError, match=r"at obj\['opt'\].*state_dict\(\) instead"):
        cr.save({"opt": cr.optim.SGD(cr.nn.Linear(2, 2).parameters(), lr=0.1)}, tmp_path / "m.pt")


def test_save_to_a_missing_directory_or_onto_a_directory(tmp_path):
    with pytest.raises(FileNotFoundError, match="the directory .*nope' does not exist"):
        cr.save({"a": 1}, tmp_path / "nope" / "m.pt")
    with pytest.raises(IsADirectoryError, match="is a directory; give a file name"):
        cr.save({"a": 1}, tmp_path)
    assert os.listdir(tmp_path) == []


def test_crash_mid_save_leaves_the_old_file(tmp_path, monkeypatch):
    p = tmp_path / "c.crpt"
    cr.save({"w": cr.ones(3)}, p)
    import chainrule.serialization as S

    real = S.np.lib.format.write_array
    calls = []

    def boom(*a, **k):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(*a, **k)

    monkeypatch.setattr(S.np.lib.format, "write_array", boom)
    with pytest.raises(OSError, match="disk full"):
        cr.save({"w": cr.zeros(3), "v": cr.zeros(2)}, p)
    monkeypatch.undo()
    np.testing.assert_array_equal(cr.load(p)["w"].numpy(), 1)
    assert os.listdir(tmp_path) == ["c.crpt"]


@pytest.fixture
def good_bytes():
    buf = io.BytesIO()
    cr.save({"w": cr.arange(10.0), "b": np.ones(3)}, buf)
    return buf.getvalue()


def _load_bytes(tmp_path, data, name="bad.crpt"):
    p = tmp_path / name
    p.write_bytes(data)
    return cr.load(p)


def test_truncated_file(tmp_path, good_bytes):
    for n in (0, 10, len(good_bytes) // 2, len(good_bytes) - 5):
        with pytest.raises(CheckpointError, match=r"bad\.crpt.*(empty|truncated)"):
            _load_bytes(tmp_path, good_bytes[:n])


def test_flipped_byte_in_an_array(tmp_path, good_bytes):
    i = good_bytes.index(b"\x93NUMPY") + 130  # inside the first array's data (after its 128-byte header)
    data = bytearray(good_bytes)
    data[i] ^= 0xFF
    with pytest.raises(CheckpointError, match=r"bad\.crpt.*array 0.*(corrupted|SHA-256)"):
        _load_bytes(tmp_path, bytes(data))


def _rewrite(good_bytes, change):
    """Re-pack a good checkpoint with a change (CRCs valid: a deliberate edit, not random damage)."""
    zin = zipfile.ZipFile(io.BytesIO(good_bytes))
    members = {n: zin.read(n) for n in zin.namelist()}
    change(members)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        for n, d in members.items():
            z.writestr(n, d)
    return out.getvalue()


def test_tampered_array_header_and_members(tmp_path, good_bytes):
    def edit_array(m):
        buf = io.BytesIO()
        np.lib.format.write_array(buf, np.zeros(10, dtype=np.float32))
        m["arrays/0.npy"] = buf.getvalue()

    with pytest.raises(CheckpointError, match="SHA-256.*modified"):
        _load_bytes(tmp_path, _rewrite(good_bytes, edit_array))

    def edit_header(m):
        h = json.loads(m["chainrule.json"])
        h["version"] = 99
        m["chainrule.json"] = json.dumps(h).encode()

    with pytest.raises(CheckpointError, match="version 99"):
        _load_bytes(tmp_path, _rewrite(good_bytes, edit_header))

    def garbage_header(m):
        m["chainrule.json"] = b"{not json"

    with pytest.raises(CheckpointError, match="header.*corrupted"):
        _load_bytes(tmp_path, _rewrite(good_bytes, garbage_header))

    def extra_member(m):
        m["evil.pkl"] = b"\x80\x04."

    with pytest.raises(CheckpointError, match="unexpected members"):
        _load_bytes(tmp_path, _rewrite(good_bytes, extra_member))

    def drop_array(m):
        del m["arrays/1.npy"]

    with pytest.raises(CheckpointError, match="array 1.*missing"):
        _load_bytes(tmp_path, _rewrite(good_bytes, drop_array))

    def bad_reference(m):
        h = json.loads(m["chainrule.json"])
        h["structure"]["items"][0][1]["array"] = 7
        m["chainrule.json"] = json.dumps(h).encode()

    with pytest.raises(CheckpointError, match="malformed entry"):
        _load_bytes(tmp_path, _rewrite(good_bytes, bad_reference))


def test_object_array_in_a_forged_file_is_not_unpickled(tmp_path, good_bytes):
    def forge(m):
        buf = io.BytesIO()
        np.lib.format.write_array(buf, np.array([{"a": 1}], dtype=object), allow_pickle=True)
        raw = buf.getvalue()
        m["arrays/0.npy"] = raw
        h = json.loads(m["chainrule.json"])
        import hashlib

        h["arrays"][0] = {"dtype": "|O", "shape": [1], "sha256": hashlib.sha256(raw).hexdigest()}
        m["chainrule.json"] = json.dumps(h).encode()

    with pytest.raises(CheckpointError, match="not a valid .npy"):
        _load_bytes(tmp_path, _rewrite(good_bytes, forge))


def test_foreign_files(tmp_path):
    with pytest.raises(CheckpointError, match="not a zip archive"):
        _load_bytes(tmp_path, b"hello world, not a checkpoint")
    npz = io.BytesIO()
    np.savez(npz, a=np.ones(2))
    with pytest.raises(CheckpointError, match="without 'chainrule.json'"):
        _load_bytes(tmp_path, npz.getvalue())
    tbuf = io.BytesIO()
    torch.save({"w": torch.ones(2)}, tbuf)
    with pytest.raises(CheckpointError, match="PyTorch checkpoint.*never unpickles"):
        _load_bytes(tmp_path, tbuf.getvalue(), "model.pt")
    with pytest.raises(CheckpointError, match="pickle file"):
        _load_bytes(tmp_path, b"\x80\x04\x95" + b"\x00" * 20)
    with pytest.raises(FileNotFoundError):
        cr.load(tmp_path / "missing.crpt")

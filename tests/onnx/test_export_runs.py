"""Whole models from `chainrule train` runs through `chainrule export`: the ONNX file in onnxruntime and the
safetensors file in PyTorch give the run's own predictions."""

import json

import numpy as np
import pytest
import torch
from onnx_check import TOL, onnx, run_onnx

from chainrule import safetensors as S
from chainrule.cli import main
from chainrule.train import load_run
from chainrule.train.config import ACTIVATIONS
from extras import require

st_torch = require("safetensors.torch")


def train_and_export(tmp_path, capsys, *flags, name="r"):
    run_dir = tmp_path / name
    assert main(["train", *flags, "--out", str(run_dir)]) == 0
    capsys.readouterr()
    code = main(["export", "--run", str(run_dir), "--onnx", str(tmp_path / f"{name}.onnx"),
                 "--safetensors", str(tmp_path / f"{name}.safetensors")])
    out, err = capsys.readouterr()
    assert code == 0, err
    return load_run(run_dir), out


def raw_test_inputs(run):
    """The test rows as `chainrule predict` takes them (feature-mapped, not standardised)."""
    X = run.data.test.tensors[0].numpy()
    return X, (run.scaler.inverse_transform(X) if run.scaler is not None else X).astype(np.float32)


def test_digits_run_with_batchnorm_and_dropout(tmp_path, capsys):
    run, out = train_and_export(tmp_path, capsys, "--hidden", "32,16", "--batchnorm", "--dropout", "0.3",
                                "--epochs", "2", "--batch-size", "64")
    assert "same class for 270/270" in out and "onnxruntime vs chainrule on the 270 test rows" in out
    X, raw = raw_test_inputs(run)
    (got,) = run_onnx(str(tmp_path / "r.onnx"), {"input": raw})
    want = run.predict(X, raw=False).numpy()
    assert np.abs(got - want).max() < TOL
    assert (got.argmax(1) == want.argmax(1)).all()
    proto = onnx.load(tmp_path / "r.onnx")
    meta = {p.key: json.loads(p.value) for p in proto.metadata_props}
    assert meta["task"] == "classification" and meta["classes"] == [str(i) for i in range(10)]
    assert len(meta["inputs"]) == 64 and "standardized_in_graph" in meta

    # the same weights in PyTorch, from model.safetensors (the run folder's) and the exported file
    tm = torch.nn.Sequential(torch.nn.Linear(64, 32), torch.nn.BatchNorm1d(32), torch.nn.ReLU(), torch.nn.Dropout(0.3),
                             torch.nn.Linear(32, 16), torch.nn.BatchNorm1d(16), torch.nn.ReLU(), torch.nn.Dropout(0.3),
                             torch.nn.Linear(16, 10))
    for path in (tmp_path / "r" / "model.safetensors", tmp_path / "r.safetensors"):
        tm.load_state_dict(st_torch.load_file(path), strict=True)
        tm.eval()
        np.testing.assert_allclose(tm(torch.from_numpy(X)).detach().numpy(), want, atol=TOL)
    assert json.loads(S.read_metadata(tmp_path / "r.safetensors")["chainrule"])["standardize"]["mean"]


def test_regression_run_exports_its_output_scaling(tmp_path, capsys):
    run, out = train_and_export(tmp_path, capsys, "--dataset", "diabetes", "--hidden", "16", "--activation", "gelu",
                                "--epochs", "2")
    X, raw = raw_test_inputs(run)
    (got,) = run_onnx(str(tmp_path / "r.onnx"), {"input": raw})
    want = run.predict(X, raw=False).numpy()
    assert got.shape == want.shape == (len(X), 1)
    np.testing.assert_allclose(got, want, rtol=TOL, atol=TOL)  # real units (~150): relative
    assert "output 'prediction'" in out


def test_feature_mapped_two_class_run(tmp_path, capsys):
    run, _ = train_and_export(tmp_path, capsys, "--dataset", "xor", "--features", "x1,x2,x1*x2", "--loss", "bce",
                              "--hidden", "8", "--activation", "elu", "--epochs", "2")
    X, raw = raw_test_inputs(run)
    assert raw.shape[1] == 3  # the input is the feature columns
    (got,) = run_onnx(str(tmp_path / "r.onnx"), {"input": raw})
    assert np.abs(got - run.predict(X, raw=False).numpy()).max() < TOL


@pytest.mark.parametrize("activation", sorted(ACTIVATIONS))
def test_every_activation_of_chainrule_train(tmp_path, capsys, activation):
    run, out = train_and_export(tmp_path, capsys, "--dataset", "iris", "--hidden", "8,8", "--activation", activation,
                                "--epochs", "1", "--batchnorm")
    X, raw = raw_test_inputs(run)
    (got,) = run_onnx(str(tmp_path / "r.onnx"), {"input": raw})
    assert np.abs(got - run.predict(X, raw=False).numpy()).max() < TOL, activation


def test_no_preprocess_and_opset(tmp_path, capsys):
    assert main(["train", "--dataset", "iris", "--hidden", "4", "--epochs", "1", "--out", str(tmp_path / "r")]) == 0
    assert main(["export", "--run", str(tmp_path / "r"), "--onnx", str(tmp_path / "m.onnx"), "--no-preprocess",
                 "--opset", "20"]) == 0
    run = load_run(tmp_path / "r")
    X = run.data.test.tensors[0].numpy()
    (got,) = run_onnx(str(tmp_path / "m.onnx"), {"input": X})
    assert np.abs(got - run.predict(X, raw=False).numpy()).max() < TOL
    assert onnx.load(tmp_path / "m.onnx").opset_import[0].version == 20


def test_export_errors(tmp_path, capsys):
    assert main(["export", "--run", str(tmp_path / "missing"), "--onnx", str(tmp_path / "m.onnx")]) == 2
    assert "run folder not found" in capsys.readouterr().err
    assert main(["train", "--dataset", "iris", "--hidden", "4", "--epochs", "1", "--out", str(tmp_path / "r")]) == 0
    capsys.readouterr()
    assert main(["export", "--run", str(tmp_path / "r")]) == 2
    assert "give --onnx FILE.onnx and/or --safetensors FILE.safetensors" in capsys.readouterr().err
    assert main(["export", "--run", str(tmp_path / "r"), "--onnx", str(tmp_path / "m.onnx"), "--opset", "9"]) == 2
    assert "opset_version must be an int from 13" in capsys.readouterr().err
    assert main(["export", "--run", str(tmp_path / "r"), "--onnx", str(tmp_path / "no" / "m.onnx")]) == 2
    assert "does not exist" in capsys.readouterr().err

"""Exports: the reproducing script runs and reaches the playground's loss; the checkpoint loads back."""

import base64
import re
import subprocess
import sys

import numpy as np
import pytest

import chainrule as cr
from chainrule.playground.export import export_file, script_text


def run_script(text, tmp_path):
    path = tmp_path / "playground_run.py"
    path.write_text(text)
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert done.returncode == 0, done.stderr[-2000:]
    m = re.search(r"training loss ([\d.]+), test loss ([\d.na]+)", done.stdout)
    assert m, done.stdout
    return float(m.group(1)), float(m.group(2))


@pytest.mark.parametrize("config, epochs", [
    ({}, 25),
    ({"problem": "regression", "regDataset": "reg-gauss", "optimizer": "momentum", "regularization": "L2",
      "regularizationRate": 0.003, "schedule": "step", "stepSize": 5, "networkShape": [6, 3], "batchSize": 7,
      "dropout": [0.2, 0.0], "batchNorm": [False, True]}, 15),
    ({"problem": "multiclass", "mcDataset": "spiral-k", "loss": "ce", "optimizer": "adam", "learningRate": 0.01,
      "shuffle": True, "init": "xavier", "layerActivations": ["relu", "gelu"], "regularization": "L1",
      "regularizationRate": 0.001, "xSquared": True, "noise": 20}, 15),
])
def test_script_reproduces_the_run(session, tmp_path, config, epochs):
    r = session(seed=21, **config)
    r.send({"type": "reset"})  # the script also follows the reset count in its seeds
    for _ in range(epochs):
        r.s.train_epoch()
    text = base64.b64decode(export_file(r.s, "script")["base64"]).decode()
    assert f"EPOCHS = {epochs}" in text
    train_loss, test_loss = run_script(text, tmp_path)
    assert train_loss == pytest.approx(r.s.train_loss, rel=1e-3, abs=1e-4)
    assert test_loss == pytest.approx(r.s.test_loss, rel=1e-3, abs=1e-4)


def test_script_with_own_points(session, tmp_path):
    r = session()
    rng = np.random.default_rng(0)
    for x, y in rng.uniform(-5, 5, (30, 2)):
        r.send({"type": "add_point", "x": float(x), "y": float(y), "label": 1.0 if x * y > 0 else -1.0,
                "split": "train" if rng.random() < 0.7 else "test"})
    r.send({"type": "reset"})
    r.send({"type": "clear_points"})
    for x, y in rng.uniform(-5, 5, (40, 2)):
        r.send({"type": "add_point", "x": round(float(x), 4), "y": round(float(y), 4),
                "label": 1.0 if x > y else -1.0, "split": "train"})
    for _ in range(10):
        r.s.train_epoch()
    text = script_text(r.s.cfg, 10, r.s.resets, (r.s.train_pts, r.s.test_pts))
    assert "POINTS = np.array" in text
    train_loss, _ = run_script(text, tmp_path)
    assert train_loss == pytest.approx(r.s.train_loss, rel=1e-3, abs=1e-4)


def test_checkpoint_and_data_exports(session, tmp_path):
    r = session(networkShape=[3])
    r.s.train_epoch()
    csv = base64.b64decode(export_file(r.s, "data")["base64"]).decode().splitlines()
    assert csv[0] == "x1,x2,label,split" and len(csv) == 501 and csv[1].endswith(",train")
    msg = export_file(r.s, "checkpoint")
    path = tmp_path / msg["name"]
    path.write_bytes(base64.b64decode(msg["base64"]))
    state = cr.load(str(path))
    expected = r.s.net.model.state_dict()
    assert set(state) == set(expected)
    for k in expected:
        np.testing.assert_array_equal(np.asarray(state[k].numpy() if hasattr(state[k], "numpy") else state[k]),
                                      expected[k].numpy())

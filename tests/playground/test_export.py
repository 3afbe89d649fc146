"""Exports: the reproducing script runs and reaches the playground's loss; the checkpoint loads back."""

import base64
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import chainrule as cr
from chainrule.playground.export import export_file, script_text


def run_script(text, tmp_path):
    path = tmp_path / "playground_run.py"
    path.write_text(text)
    here = str(Path(cr.__file__).parents[1])  # the script runs on the chainrule these tests import
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])}
    done = subprocess.run([sys.executable, str(path)], capture_output=True, text=True, timeout=300, cwd=tmp_path,
                          env=env)
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


def train(r, epochs):
    for _ in range(epochs):
        r.s.train_epoch()


def script_of(r):
    return base64.b64decode(export_file(r.s, "script")["base64"]).decode()


@pytest.mark.parametrize("config", [{}, {"regularization": "L1", "regularizationRate": 0.003, "optimizer": "momentum",
                                         "shuffle": True, "dropout": [0.2, 0.0]}])
def test_script_replays_changes_made_while_training(session, tmp_path, config):
    """B8: a learning-rate change, Regenerate, a hand-edited weight and bias, a new batch size and momentum, made
    between epochs, are replayed at their epochs: the script reaches the playground's losses."""
    r = session(seed=13, **config)
    train(r, 4)
    r.send({"type": "config", "config": {"learningRate": 0.1}})
    train(r, 3)
    r.send({"type": "regenerate"})
    train(r, 2)
    r.send({"type": "set_param", "kind": "weight", "layer": 0, "row": 1, "col": 0, "value": 1.5})
    r.send({"type": "set_param", "kind": "bias", "layer": 1, "row": 0, "value": -0.25})
    r.send({"type": "config", "config": {"batchSize": 7, "momentum": 0.8, "speed": 5, "regularizationRate": 0.01}})
    train(r, 3)
    r.send({"type": "config", "config": {"learningRate": 0.01}})  # after the last epoch: changes nothing trained
    text = script_of(r)
    assert "NOT REPLAYED" not in text and "CHANGES = {" in text and "'regenerate'" in text
    train_loss, test_loss = run_script(text, tmp_path)
    assert train_loss == pytest.approx(r.s.train_loss, rel=1e-3, abs=1e-4)
    assert test_loss == pytest.approx(r.s.test_loss, rel=1e-3, abs=1e-4)


def test_script_says_what_it_does_not_replay(session, tmp_path):
    r = session(seed=3, learningRate=0.3)  # before the first epoch: part of the setup, nothing to replay
    r.send({"type": "config", "config": {"optimizer": "adam", "learningRate": 0.01}})
    train(r, 3)
    r.send({"type": "config", "config": {"optimizer": "sgd"}})
    train(r, 2)
    msg = export_file(r.s, "script")
    assert msg["notReplayed"] == ["before epoch 3: optimizer changed from adam to sgd"]
    text = base64.b64decode(msg["base64"]).decode()
    assert "NOT REPLAYED, so this script will not reach the playground's numbers:" in text
    assert "optimizer changed from adam to sgd" in text and "optim.Adam(" in text
    run_script(text, tmp_path)  # it still runs, and prints the playground's numbers beside its own
    r.send({"type": "reset"})
    assert export_file(r.s, "script")["notReplayed"] == []  # a new network: a new starting point

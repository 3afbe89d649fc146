"""`chainrule train --device cuda` on tests/fake_cupy.py's CPU double of CuPy: the model and the data move to
the device once, batches are cut there, and the numbers are the CPU run's (the double computes with NumPy)."""

import json

import pytest

from chainrule.cli import main
from fake_cupy import installed


def run(tmp_path, name, *extra):
    out = tmp_path / name
    args = ["train", "--dataset", "iris", "--hidden", "8", "--epochs", "3", "--dropout", "0", "--out", str(out)]
    assert main([*args, *extra]) == 0
    return json.loads((out / "summary.json").read_text()), (out / "history.csv").read_text()


def test_train_on_the_device_gives_the_cpu_numbers(tmp_path):
    cpu_summary, cpu_history = run(tmp_path, "cpu")
    with installed():
        cuda_summary, cuda_history = run(tmp_path, "cuda", "--device", "cuda")
    assert _without_time(cuda_history) == _without_time(cpu_history)
    for part in ("train", "val", "test"):
        assert cuda_summary[part] == cpu_summary[part]
    assert json.loads((tmp_path / "cuda" / "config.json").read_text())["device"] == "cuda"


def _without_time(csv):  # every column of history.csv but the epoch's duration
    rows = [line.split(",") for line in csv.splitlines()]
    keep = [i for i, name in enumerate(rows[0]) if name != "time"]
    assert len(keep) == len(rows[0]) - 1 and len(rows) == 4
    return [[r[i] for i in keep] for r in rows]


def test_the_cnn_trains_on_the_device(tmp_path):
    with installed():
        out = tmp_path / "cnn"
        args = ["train", "--model", "cnn", "--epochs", "1", "--augment", "--out", str(out), "--device", "cuda"]
        assert main(args) == 0
    assert json.loads((out / "summary.json").read_text())["epochs_run"] == 1


@pytest.mark.parametrize("value, words", [("gpu", "expected cpu, cuda or cuda:N, got 'gpu'"),
                                          ("cuda", "no CUDA GPU is available to chainrule")])
def test_a_device_that_is_not_there_is_a_usage_error(tmp_path, capsys, value, words):
    assert main(["train", "--device", value, "--out", str(tmp_path / "r")]) == 2
    assert words in capsys.readouterr().err and not (tmp_path / "r").exists()

"""Every `chainrule train` run is recorded in the run store: config, each epoch, final metrics, status."""

import json

import pytest

from chainrule.cli import main
from chainrule.runstore import RunStore, record_run

SMALL = ["--hidden", "8", "--epochs", "2", "--batch-size", "128"]


def test_a_train_run_is_recorded_with_its_epochs_and_summary(tmp_path, capsys):
    db, run_dir = tmp_path / "runs.db", tmp_path / "run"
    assert main(["train", *SMALL, "--out", str(run_dir), "--store", str(db)]) == 0
    assert f"recorded as run 1 in {db}" in capsys.readouterr().err
    store = RunStore(db)
    run = store.run(1)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert run["kind"] == "train" and run["status"] == "finished" and run["dir"] == str(run_dir)
    assert run["config"]["hidden"] == [8] and run["config"]["epochs"] == 2
    assert run["summary"]["test"] == summary["test"]
    history = (run_dir / "history.csv").read_text().splitlines()
    epochs = store.epochs(1)
    assert [e["epoch"] for e in epochs] == [1, 2] and len(history) == 3
    assert float(history[2].split(",")[history[0].split(",").index("val_loss")]) == epochs[1]["val_loss"]

    # --resume continues the same record
    assert main(["train", "--resume", str(run_dir), "--epochs", "2", "--store", str(db)]) == 0
    assert len(store.runs()) == 1


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow that makes it diverge
def test_a_diverging_run_is_recorded_as_failed(tmp_path, capsys):
    db = tmp_path / "runs.db"
    code = main(["train", *SMALL, "--optimizer", "sgd", "--lr", "1e6", "--out", str(tmp_path / "r"),
                 "--store", str(db)])
    assert code == 1
    run = RunStore(db).run(1)
    assert run["status"] == "failed" and run["error"].startswith("DivergenceError:")


def test_the_store_can_be_switched_off_and_other_runs_recorded(tmp_path, capsys, monkeypatch):
    monkeypatch.setenv("CHAINRULE_STORE", "off")
    assert main(["train", *SMALL, "--out", str(tmp_path / "r")]) == 0
    assert "recorded as run" not in capsys.readouterr().err
    run_id = record_run({"lab": "dropout", "p": 0.5}, {"test": {"accuracy": 0.9}}, store=tmp_path / "labs.db",
                        epochs=[{"epoch": 1, "loss": 0.3}])
    assert RunStore(tmp_path / "labs.db").run(run_id)["kind"] == "lab"
    assert record_run({"lab": "x"}) is None  # store off: nothing recorded, nothing fails


def test_an_unwritable_store_warns_but_the_run_still_trains(tmp_path, capsys):
    bad = tmp_path / "not-a-db"
    bad.write_text("garbage" * 200)
    assert main(["train", *SMALL, "--out", str(tmp_path / "r"), "--store", str(bad)]) == 0
    captured = capsys.readouterr()
    assert "warning: " in captured.err and "not a chainrule run store" in captured.err
    assert (tmp_path / "r" / "summary.json").exists()

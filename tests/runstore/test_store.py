"""The run store: schema, JSON columns, exactly-once results, clear errors, and 8 processes writing at once."""

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from chainrule.runstore import RunStore, StoreError, open_store, plain
from chainrule.runstore.records import WhereError, flatten, metric_direction, parse_where, sort_rows

HERE = Path(__file__).parent


def test_a_run_round_trips_with_its_epochs_and_json_values(tmp_path):
    store = RunStore(tmp_path / "runs.db")
    run_id = store.start_run({"lr": np.float32(0.5), "hidden": (64, 64), "seed": 3}, dir=tmp_path / "r")
    store.log_epoch(run_id, 1, {"loss": np.float64(0.25), "val_loss": float("nan")})
    assert store.finish_run(run_id, {"test": {"accuracy": 0.75}}, epochs=[(2, {"loss": 0.125})])
    run = store.run(run_id)
    assert run["config"] == {"lr": 0.5, "hidden": [64, 64], "seed": 3} and run["status"] == "finished"
    assert run["summary"] == {"test": {"accuracy": 0.75}} and run["dir"] == str(tmp_path / "r")
    assert store.epochs(run_id) == [{"epoch": 1, "loss": 0.25, "val_loss": None}, {"epoch": 2, "loss": 0.125}]
    assert sqlite3.connect(tmp_path / "runs.db").execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    text = sqlite3.connect(tmp_path / "runs.db").execute("SELECT config FROM runs").fetchone()[0]
    assert json.loads(text)["hidden"] == [64, 64]  # plain JSON text in the file, not a pickle


def test_a_result_is_counted_once(tmp_path):
    store = RunStore(tmp_path / "runs.db")
    run_id = store.start_run({"a": 1})
    assert store.finish_run(run_id, {"x": 1}, epochs=[(1, {"loss": 1.0})])
    assert not store.finish_run(run_id, {"x": 2}, epochs=[(1, {"loss": 9.0}), (2, {"loss": 9.0})])
    assert store.run(run_id)["summary"] == {"x": 1} and store.epochs(run_id) == [{"epoch": 1, "loss": 1.0}]


def test_bad_files_and_values_are_refused_clearly(tmp_path):
    junk = tmp_path / "junk.db"
    junk.write_bytes(b"this is not sqlite" * 100)
    with pytest.raises(StoreError, match="is not a chainrule run store"):
        RunStore(junk)
    newer = tmp_path / "newer.db"
    RunStore(newer).close()
    sqlite3.connect(newer).execute("PRAGMA user_version = 99").connection.commit()
    with pytest.raises(StoreError, match="newer chainrule.*upgrade"):
        RunStore(newer)
    store = RunStore(tmp_path / "ok.db")
    with pytest.raises(StoreError, match="config: object is not JSON data"):
        store.start_run({"model": object()})
    with pytest.raises(StoreError, match="no run 42"):
        store.run(42)
    with pytest.raises(StoreError, match="status 'done': expected one of pending, running, finished"):
        store.start_run({}, status="done")
    assert plain({"a": np.arange(2), "b": float("inf")}) == {"a": [0, 1], "b": None}


def test_open_store_follows_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CHAINRULE_STORE", str(tmp_path / "env.db"))
    assert open_store().path == str(tmp_path / "env.db")
    monkeypatch.setenv("CHAINRULE_STORE", "off")
    assert open_store() is None
    assert open_store(tmp_path / "x.db").path == str(tmp_path / "x.db")


def test_where_and_sort():
    rows = [{"id": 1, "lr": 0.1, "activation": "relu", "hidden": [64], "test_accuracy": 0.9, "val_loss": 0.3},
            {"id": 2, "lr": 0.01, "activation": "tanh", "hidden": [64, 64], "test_accuracy": 0.95, "val_loss": 0.2},
            {"id": 3, "lr": 0.001, "activation": "relu", "hidden": [64], "test_accuracy": None, "val_loss": None}]
    pick = lambda expr: [r["id"] for r in rows if parse_where(expr, list(rows[0]))(r)]
    assert pick("lr<0.1") == [2, 3] and pick("lr <= 0.1 and activation=relu") == [1, 3]
    assert pick("activation != relu") == [2] and pick("hidden=[64, 64]") == [2] and pick("test_accuracy>=0.9") == [1, 2]
    with pytest.raises(WhereError, match="no column 'lrr' \\(did you mean lr\\?\\)"):
        parse_where("lrr<0.1", list(rows[0]))
    with pytest.raises(WhereError, match="expected KEY OP VALUE"):
        parse_where("lr", list(rows[0]))
    with pytest.raises(WhereError, match="< compares numbers, got 'relu'"):
        parse_where("activation<relu", list(rows[0]))
    assert [r["id"] for r in sort_rows(rows, "test_accuracy")] == [2, 1, 3]  # best first, missing last
    assert [r["id"] for r in sort_rows(rows, "val_loss")] == [2, 1, 3]
    assert [r["id"] for r in sort_rows(rows, "lr")] == [3, 2, 1]
    assert [r["id"] for r in sort_rows(rows, "lr", reverse=True)] == [1, 2, 3]
    assert (metric_direction("val_accuracy"), metric_direction("test_rmse"), metric_direction("lr")) == ("max", "min",
                                                                                                       None)


def test_flatten_puts_config_and_final_metrics_in_one_row(tmp_path):
    store = RunStore(tmp_path / "runs.db")
    run_id = store.start_run({"lr": 0.1, "out": "x", "seed": 0})
    store.finish_run(run_id, {"val": {"accuracy": 0.5}, "test": {"loss": 0.7}, "epochs_run": 3, "files": ["a"]})
    row = flatten(store.run(run_id))
    assert row["lr"] == 0.1 and row["val_accuracy"] == 0.5 and row["test_loss"] == 0.7 and row["epochs_run"] == 3
    assert "out" not in row and "files" not in row


def test_eight_processes_write_at_once_without_losing_a_row(tmp_path):
    db, start, n, writers = tmp_path / "runs.db", tmp_path / "go", 25, 8
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(Path(__file__).parents[2] / "src"),
                                                        os.environ.get("PYTHONPATH", "")])}
    procs = [subprocess.Popen([sys.executable, str(HERE / "store_writer.py"), str(db), str(w), str(n), str(start)],
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env)
             for w in range(writers)]
    start.touch()  # the store does not exist yet: the writers also race to create it
    outputs = [p.communicate(timeout=300) for p in procs]
    for p, (out, err) in zip(procs, outputs):
        assert out.strip() == f"writer {procs.index(p)}: {n} runs"
        assert p.returncode == 0, err
        assert "locked" not in err and "busy" not in err
    store = RunStore(db)
    runs = store.runs(kind="test")
    assert len(runs) == writers * n and len({r["id"] for r in runs}) == writers * n
    assert all(r["status"] == "finished" for r in runs)
    per_writer = {w: sorted(r["config"]["i"] for r in runs if r["config"]["writer"] == w) for w in range(writers)}
    assert all(v == list(range(n)) for v in per_writer.values())
    assert store.count("epochs") == writers * n * 3

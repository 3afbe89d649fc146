"""`chainrule runs ls/show/compare/export` on a real (small) sweep, the numbers checked against the store."""

import csv
import io
import json

import numpy as np
import pytest

import chainrule as cr
from chainrule.cli import main
from chainrule.runstore import RunStore
from chainrule.runstore import compare_plots as cp
from chainrule.runstore.compare import compare_table

SPACE = {"lr": [0.003, 0.03], "activation": ["relu", "tanh"]}


@pytest.fixture(scope="module")
def swept(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("sweep")
    out = io.StringIO()
    result = cr.sweep(train={"epochs": 2, "hidden": [8], "batch_size": 128}, space=SPACE, seeds=2, name="cmp",
                      out=str(tmp / "trials"), store=str(tmp / "runs.db"), workers=0, stream=out)
    return result, tmp, out.getvalue()


def cli(args, capsys):
    code = main(args)
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def expected_groups(store, sweep_id, metric="val_accuracy"):
    """mean and sample sd over seeds of each (lr, activation), straight from the store's summaries."""
    groups = {}
    for r in store.runs(sweep=sweep_id):
        part, name = metric.split("_")
        groups.setdefault((r["params"]["lr"], r["params"]["activation"]), []).append(r["summary"][part][name])
    return {k: (np.mean(v), np.std(v, ddof=1), len(v)) for k, v in groups.items()}


def test_the_sweep_printed_its_progress_and_best(swept):
    result, _, text = swept
    assert "grid over lr (2) × activation (2), 2 seeds = 8 trials" in text
    assert "[8/8]" in text and "8/8 trials done" in text and "best so far: val_accuracy" in text
    best = result.best
    exp = expected_groups(result.store, result.id)
    top = max(exp, key=lambda k: exp[k][0])
    assert (best["lr"], best["activation"]) == top and best["val_accuracy"] == pytest.approx(exp[top][0])


def test_compare_writes_the_table_and_plots_with_the_right_numbers(swept, capsys):
    result, tmp, _ = swept
    db, out = str(tmp / "runs.db"), tmp / "cmp"
    code, text, err = cli(["runs", "compare", "--sweep", result.id, "--store", db, "--out", str(out)], capsys)
    assert code == 0, err
    exp = expected_groups(result.store, result.id)
    with open(out / "table.csv") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4
    for row in rows:
        mean, sd, n = exp[(float(row["lr"]), row["activation"])]
        assert float(row["val_accuracy"]) == pytest.approx(mean) and float(row["val_accuracy_sd"]) == pytest.approx(sd)
        assert int(row["n"]) == n == 2
    means = [float(r["val_accuracy"]) for r in rows]
    assert means == sorted(means, reverse=True)  # best first
    first = rows[0]
    assert f"{float(first['val_accuracy']):.4f} ± {float(first['val_accuracy_sd']):.4f}" in text
    numbers = json.loads((out / "compare.json").read_text())
    heat = numbers["plots"]["val_accuracy_heatmap_lr_activation.png"]
    assert heat["rows"] == {"lr": [0.003, 0.03]} and heat["columns"] == {"activation": ["relu", "tanh"]}
    assert heat["values"] == [[pytest.approx(exp[(lr, a)][0]) for a in ("relu", "tanh")] for lr in (0.003, 0.03)]
    for name in ("learning_curves.png", "val_accuracy_vs_lr.png", "val_accuracy_vs_activation.png",
                 "val_accuracy_heatmap_lr_activation.png"):
        assert (out / name).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", name


def test_the_plots_draw_exactly_the_tables_numbers(swept):
    result, _, _ = swept
    runs = result.runs()
    table = compare_table(runs, "val_accuracy")
    exp = expected_groups(result.store, result.id)
    fig = cp.heatmap(table, "lr", "activation")
    drawn = np.asarray(fig.axes[0].images[0].get_array())
    assert drawn == pytest.approx(np.array([[exp[(lr, a)][0] for a in ("relu", "tanh")] for lr in (0.003, 0.03)]))
    fig = cp.versus(table, "lr")
    bars = {c.get_label(): c.lines[0] for c in fig.axes[0].containers}  # errorbar: (data line, caps, bars)
    assert set(bars) == {"activation=relu", "activation=tanh"}
    for label, line in bars.items():
        act = label.split("=")[1]
        assert list(line.get_xdata()) == [0.003, 0.03]
        assert list(line.get_ydata()) == pytest.approx([exp[(lr, act)][0] for lr in (0.003, 0.03)])
    epochs = {r["id"]: result.store.epochs(r["id"]) for r in runs}
    fig = cp.curves(table, epochs, "val_accuracy")
    assert len(fig.axes[0].lines) == 8
    drawn = sorted(tuple(line.get_ydata()) for line in fig.axes[0].lines)
    assert drawn == sorted(tuple(e["val_accuracy"] for e in rows) for rows in epochs.values())


def test_ls_filters_sorts_and_show_prints_a_run(swept, capsys):
    result, tmp, _ = swept
    db = str(tmp / "runs.db")
    code, text, err = cli(["runs", "ls", "--store", db, "--sweep", result.id, "--where", "lr<0.01",
                           "--sort", "val_accuracy", "--json"], capsys)
    assert code == 0, err
    rows = json.loads(text)
    assert len(rows) == 4 and all(r["lr"] == 0.003 for r in rows)
    assert [r["val_accuracy"] for r in rows] == sorted((r["val_accuracy"] for r in rows), reverse=True)
    code, text, _ = cli(["runs", "ls", "--store", db, "--where", "activation=tanh and lr>0.01"], capsys)
    lines = text.strip().splitlines()
    assert lines[0].split()[:5] == ["id", "status", "lr", "activation", "seed"] and len(lines) == 3
    run_id = rows[0]["id"]
    code, text, _ = cli(["runs", "show", str(run_id), "--store", db], capsys)
    assert code == 0 and f"run {run_id} (trial, sweep {result.id}" in text and "val: loss" in text
    assert "epoch" in text and "swept: lr=0.003" in text
    code, text, _ = cli(["runs", "show", result.id, "--store", db], capsys)
    assert code == 0 and "8 finished" in text and "± " in text
    code, text, _ = cli(["runs", "sweeps", "--store", db], capsys)
    assert result.id in text and "8/8" in text


def test_export_csv_and_jsonl(swept, capsys, tmp_path):
    result, tmp, _ = swept
    db = str(tmp / "runs.db")
    code, _, _ = cli(["runs", "export", "--store", db, "--csv", str(tmp_path / "runs.csv")], capsys)
    assert code == 0
    with open(tmp_path / "runs.csv") as f:
        rows = list(csv.DictReader(f))
    store = RunStore(db)
    assert len(rows) == 8
    for row in rows:
        run = store.run(int(row["id"]))
        assert float(row["test_accuracy"]) == pytest.approx(run["summary"]["test"]["accuracy"])
        assert float(row["lr"]) == run["config"]["lr"] and json.loads(row["hidden"]) == [8]
    code, text, _ = cli(["runs", "export", "--store", db, "--jsonl", "--where", "activation=relu"], capsys)
    lines = [json.loads(x) for x in text.splitlines()]
    assert len(lines) == 4 and all(len(x["epochs"]) == 2 for x in lines)


@pytest.mark.parametrize("args,message", [
    (["ls", "--where", "lrr<1"], "no column 'lrr'"),
    (["ls", "--sort", "nope"], "--sort nope: no such column"),
    (["ls", "--sweep", "nope"], "no sweep 'nope'"),
    (["show", "999"], "no run 999"),
    (["compare"], "give run ids"),
    (["compare", "--sweep", "SWEEP", "--heatmap", "lr,seed"], "--heatmap lr,seed: expected two of the compared"),
])
def test_errors_name_what_was_wrong(swept, capsys, args, message):
    result, tmp, _ = swept
    args = [a.replace("SWEEP", result.id) for a in args]
    code, _, err = cli(["runs", *args, "--store", str(tmp / "runs.db")], capsys)
    assert code == 2 and message in err, err


def test_a_missing_store_is_named(tmp_path, capsys):
    code, _, err = cli(["runs", "ls", "--store", str(tmp_path / "none.db")], capsys)
    assert code == 2 and "no run store at" in err

"""`chainrule train/evaluate/predict`: validation before training, TOML + flags, run folders, determinism,
resume, load_run."""

import csv
import json

import numpy as np
import pytest

from chainrule.cli import main
from chainrule.train import load_run
from chainrule.train.config import DEFAULTS, ConfigError, resolve

SMALL = ["--hidden", "16", "--epochs", "3", "--batch-size", "64"]


def run_cli(args, capsys):
    code = main(args)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.parametrize("args,message", [
    (["--optimizer", "adamm"], "--optimizer: unknown value 'adamm' (did you mean 'adam'?); allowed: sgd, adagrad"),
    (["--activation", "reul"], "--activation: unknown value 'reul' (did you mean 'relu'?); allowed: relu, tanh"),
    (["--hidden", "64,x"], "--hidden: expected comma-separated ints like '64,64', got '64,x'"),
    (["--hidden", "64,0"], "--hidden: layer widths must be positive integers"),
    (["--lr", "-0.1"], "--lr: expected a number in (0, ∞), got -0.1"),
    (["--dropout", "1"], "--dropout: expected a number in [0, 1), got 1.0"),
    (["--epochs", "-2"], "--epochs: expected an integer >= 0, got -2"),
    (["--betas", "0.9"], "--betas: expected two numbers in [0, 1)"),
    (["--momentum", "0.9"], "--momentum: applies to --optimizer sgd or rmsprop only, not adam"),
    (["--optimizer", "sgd", "--nesterov"], "--nesterov: Nesterov momentum needs --momentum > 0"),
    (["--dataset", "digitz"], "--dataset: unknown dataset 'digitz' (did you mean 'digits'?); allowed: circle, xor"),
    (["--dataset", "csv:/nonexistent.csv"], "--dataset: CSV file not found: /nonexistent.csv"),
    (["--target", "y"], "--target: applies to --dataset csv:PATH only"),
    (["--noise", "0.1"], "--noise: applies to the generated 2-D sets only, not to digits"),
    (["--loss", "mse"], "--loss: mse is a regression loss; digits is a classification task"),
    (["--loss", "bce"], "--loss bce needs two classes; digits has 10"),
    (["--schedule", "cos"], "--schedule: unknown value 'cos' (did you mean 'cosine'?); allowed: none, step"),
    (["--features", "x1,x3", "--dataset", "xor"], "--features: unknown feature 'x3'; allowed: x1, x2, x1^2"),
    (["--dataset", "iris", "--augment"], "--augment: augmentation (pixel shifts and noise) is for --dataset digits"),
    (["--dataset", "iris", "--model", "cnn"], "--model: a CNN needs images; iris has none"),
    (["--model", "resnet"], "--model: unknown value 'resnet'; allowed: mlp, cnn"),
])
def test_bad_flags_are_refused_before_training(args, message, capsys, tmp_path):
    code, out, err = run_cli(["train", *args, "--out", str(tmp_path / "run")], capsys)
    assert code == 2
    assert err.startswith("chainrule train: error: ") and message in err, err
    assert "epoch" not in out
    assert not (tmp_path / "run" / "history.csv").exists()


def test_argparse_type_errors_name_the_flag(capsys):
    with pytest.raises(SystemExit) as e:
        main(["train", "--epochs", "many"])
    assert e.value.code == 2 and "argument --epochs: invalid int value: 'many'" in capsys.readouterr().err


def test_toml_config_unknown_keys_bad_values_and_flags_override(tmp_path, capsys):
    cfg = tmp_path / "c.toml"
    cfg.write_text('lrr = 0.1\n')
    code, _, err = run_cli(["train", "--config", str(cfg)], capsys)
    assert code == 2 and f"lrr (in {cfg}): unknown key (did you mean 'lr'?); allowed keys: dataset" in err
    cfg.write_text('optimizer = "adamm"\n')
    code, _, err = run_cli(["train", "--config", str(cfg)], capsys)
    assert code == 2 and f"optimizer (in {cfg}): unknown value 'adamm'" in err
    cfg.write_text('epochs = "3"\n')
    code, _, err = run_cli(["train", "--config", str(cfg)], capsys)
    assert code == 2 and "epochs (in" in err and "expected an integer >= 0, got '3'" in err
    cfg.write_text("epochs = [\n")
    code, _, err = run_cli(["train", "--config", str(cfg)], capsys)
    assert code == 2 and "is not valid TOML" in err
    cfg.write_text('[train]\ndataset = "iris"\nhidden = [8]\nepochs = 50\n"batch-size" = 16\nlr = 0.01\n')
    out_dir = tmp_path / "run"
    code, out, _ = run_cli(["train", "--config", str(cfg), "--epochs", "2", "--out", str(out_dir)], capsys)
    assert code == 0, out
    saved = json.loads((out_dir / "config.json").read_text())
    assert saved == {**DEFAULTS, "dataset": "iris", "hidden": [8], "epochs": 2, "batch_size": 16, "lr": 0.01,
                     "weight_decay": 0.0, "out": str(out_dir)}


def test_resolve_fills_optimizer_defaults():
    assert resolve({}, {"optimizer": "sgd"})["lr"] == 0.1
    assert resolve({}, {"optimizer": "adamw"})["weight_decay"] == 0.01
    with pytest.raises(ConfigError, match="--bogus: unknown setting"):
        resolve({}, {"bogus": 1})


def test_same_seed_and_config_give_a_bit_identical_history(tmp_path, capsys):
    args = ["train", "--dataset", "wine", *SMALL, "--dropout", "0.3", "--batchnorm", "--seed", "3"]
    for name in ("a", "b"):
        assert run_cli([*args, "--out", str(tmp_path / name)], capsys)[0] == 0

    def table(name):
        with open(tmp_path / name / "history.csv") as f:
            return [{k: v for k, v in row.items() if k != "time"} for row in csv.DictReader(f)]

    assert table("a") == table("b") and len(table("a")) == 3
    ra, rb = load_run(tmp_path / "a"), load_run(tmp_path / "b")
    for (k, a), b in zip(ra.model.state_dict().items(), rb.model.state_dict().values()):
        assert np.array_equal(a.numpy(), b.numpy()), k
    assert run_cli([*args, "--seed", "4", "--out", str(tmp_path / "c")], capsys)[0] == 0
    assert table("c") != table("a")


def test_augmented_runs_are_repeatable(tmp_path, capsys):
    args = ["train", "--augment", "--hidden", "16", "--epochs", "2", "--batch-size", "128"]
    for name in ("a", "b"):
        assert run_cli([*args, "--out", str(tmp_path / name)], capsys)[0] == 0
    ha, hb = (json.loads((tmp_path / n / "summary.json").read_text())["train"] for n in "ab")
    assert ha == hb


def test_resume_continues_a_run_bit_for_bit(tmp_path, capsys):
    args = ["train", "--dataset", "iris", "--hidden", "8", "--dropout", "0.2", "--batch-size", "16",
            "--schedule", "step", "--step-size", "2", "--gamma", "0.5"]
    assert run_cli([*args, "--epochs", "6", "--out", str(tmp_path / "full")], capsys)[0] == 0
    # an interrupted run: 3 epochs, then resumed up to 6 (a step schedule does not depend on the total)
    assert run_cli([*args, "--epochs", "3", "--out", str(tmp_path / "cut")], capsys)[0] == 0
    code, _, err = run_cli(["train", "--resume", str(tmp_path / "cut"), "--lr", "0.1"], capsys)
    assert code == 2 and "only --epochs may change (got --lr)" in err
    code, out, _ = run_cli(["train", "--resume", str(tmp_path / "cut"), "--epochs", "6"], capsys)
    assert code == 0 and "epoch 4/6" in out and "epoch 3/6" not in out

    def table(name):
        with open(tmp_path / name / "history.csv") as f:
            return [{k: v for k, v in row.items() if k != "time"} for row in csv.DictReader(f)]

    assert table("cut") == table("full") and len(table("full")) == 6
    assert json.loads((tmp_path / "cut" / "summary.json").read_text())["test"] == \
        json.loads((tmp_path / "full" / "summary.json").read_text())["test"]


def test_resume_with_more_epochs_refuses_a_finished_cosine_schedule(tmp_path, capsys):
    assert run_cli(["train", "--dataset", "iris", *SMALL, "--out", str(tmp_path / "r")], capsys)[0] == 0
    code, _, err = run_cli(["train", "--resume", str(tmp_path / "r"), "--epochs", "5"], capsys)
    assert code == 2 and "cosine schedule" in err
    code, _, err = run_cli(["train", "--resume", str(tmp_path / "nothing")], capsys)
    assert code == 2 and "has no checkpoints/last.ckpt" in err


def test_evaluate_predict_and_load_run(tmp_path, capsys):
    run_dir = tmp_path / "iris"
    assert run_cli(["train", "--dataset", "iris", "--hidden", "8", "--epochs", "30", "--lr", "0.02",
                    "--out", str(run_dir)], capsys)[0] == 0
    import chainrule as cr

    cr.manual_seed(3)
    expected = cr.rand(2).numpy()
    cr.manual_seed(3)
    run = load_run(run_dir)
    assert np.array_equal(cr.rand(2).numpy(), expected)  # loading did not draw from the caller's stream
    assert not run.model.training and run.config["dataset"] == "iris" and run.epoch == 30
    assert type(run.loss_fn).__name__ == "CrossEntropyLoss" and run.data.n_classes == 3
    assert run.class_names == ["setosa", "versicolor", "virginica"]
    code, out, _ = run_cli(["evaluate", "--run", str(run_dir), "--split", "all"], capsys)
    assert code == 0 and "train: loss" in out and "test: loss" in out and "confusion matrix" in out
    code, out, _ = run_cli(["evaluate", "--run", str(run_dir), "--json"], capsys)
    report = json.loads(out)
    summary = json.loads((run_dir / "summary.json").read_text())
    assert report["test"]["accuracy"] == summary["test"]["accuracy"]
    assert np.trace(report["test"]["confusion_matrix"]) == report["test"]["correct"]

    X, y = run.data.test.tensors
    raw = run.scaler.inverse_transform(X.numpy().astype(np.float64))
    lines = [",".join(["id", *run.feature_names])]  # an extra column the run does not use: ignored
    lines += [",".join([str(i), *(repr(float(v)) for v in r)]) for i, r in enumerate(raw)]
    (tmp_path / "in.csv").write_text("\n".join(lines) + "\n")
    code, out, _ = run_cli(["predict", "--run", str(run_dir), "--input", str(tmp_path / "in.csv"),
                            "--output", str(tmp_path / "pred.csv")], capsys)
    assert code == 0
    rows = list(csv.DictReader(open(tmp_path / "pred.csv")))
    assert list(rows[0]) == ["prediction", "p_setosa", "p_versicolor", "p_virginica"]
    predicted = [run.class_names.index(r["prediction"]) for r in rows]
    acc = np.mean(np.array(predicted) == y.numpy())
    assert acc == pytest.approx(report["test"]["accuracy"])
    (tmp_path / "bad.csv").write_text("a,b\n1,2\n")
    code, _, err = run_cli(["predict", "--run", str(run_dir), "--input", str(tmp_path / "bad.csv")], capsys)
    assert code == 2 and "unknown column 'sepal length (cm)'" in err and "the run expects the columns" in err


def test_cnn_run_on_digits_trains_saves_and_loads(tmp_path, capsys):
    """--model cnn: nn/cnn.py's network on the 8×8 images; the run folder loads back into the same model."""
    run_dir = tmp_path / "cnn"
    code, out, _ = run_cli(["train", "--model", "cnn", "--epochs", "1", "--batch-size", "64", "--out", str(run_dir)],
                           capsys)
    assert code == 0 and "model: CNN 1×8×8 → conv 32-32-64 → 10 (relu, batchnorm, dropout 0.2)" in out
    summary = json.loads((run_dir / "summary.json").read_text())
    assert summary["test"]["accuracy"] > 0.6  # one epoch
    run = load_run(run_dir)
    assert type(run.model[1]).__name__ == "Conv2d" and run.config["model"] == "cnn"
    X, _ = run.data.test.tensors
    code, out, _ = run_cli(["evaluate", "--run", str(run_dir), "--json"], capsys)
    assert json.loads(out)["test"]["accuracy"] == summary["test"]["accuracy"]
    assert tuple(run.model(X).shape) == (len(X), 10)


def test_missing_run_folder(capsys, tmp_path):
    with pytest.raises(SystemExit, match="run folder not found"):
        main(["evaluate", "--run", str(tmp_path / "nope")])
    (tmp_path / "half").mkdir()
    with pytest.raises(SystemExit, match="config.json is missing"):
        main(["evaluate", "--run", str(tmp_path / "half")])


def test_regression_and_two_d_runs(tmp_path, capsys):
    code, out, _ = run_cli(["train", "--dataset", "diabetes", "--epochs", "30", "--out", str(tmp_path / "d")], capsys)
    assert code == 0
    summary = json.loads((tmp_path / "d" / "summary.json").read_text())
    assert summary["test"]["r2"] > 0.3 and summary["test"]["rmse"] < 70  # target std is ~77
    run = load_run(tmp_path / "d")
    X, y = run.data.test.tensors
    pred = run.model(X).detach().numpy()
    assert np.sqrt(np.mean((pred - y.numpy()) ** 2)) == pytest.approx(summary["test"]["rmse"], rel=1e-5)
    code, _, _ = run_cli(["train", "--dataset", "xor", "--features", "x1,x2,x1*x2", "--hidden", "none",
                          "--loss", "bce", "--epochs", "20", "--lr", "0.05", "--out", str(tmp_path / "x")], capsys)
    assert code == 0
    summary = json.loads((tmp_path / "x" / "summary.json").read_text())
    assert summary["test"]["accuracy"] > 0.9  # with the x1·x2 feature, XOR is linearly separable
    assert (tmp_path / "x" / "decision_boundary.png").exists()
    run = load_run(tmp_path / "x")
    assert run.predict(np.array([[2.0, 2.0], [2.0, -2.0]])).numpy()[:, 0].tolist()[0] > 0


@pytest.mark.parametrize("key", ["activation", "init", "optimizer", "schedule"])
def test_every_choice_builds_and_trains(key, tmp_path):
    """Each allowed value of the choice fields makes a working model, optimizer and schedule."""
    import chainrule as cr
    from chainrule.data import datasets
    from chainrule.train import fit
    from chainrule.train import run as R
    from chainrule.train.config import CHOICES

    split = datasets.load("iris")
    for value in CHOICES[key]:
        cfg = resolve({}, {"dataset": "iris", "hidden": [8, 8], key: value, "epochs": 2, "batchnorm": True})
        cr.manual_seed(0)
        model = R.build_model(cfg, 4, 3)
        opt = R.build_optimizer(cfg, model.parameters())
        h = fit(model, R.build_loss(cfg, "classification"), opt, split.train, split.val, epochs=2, verbose=False,
                scheduler=R.build_scheduler(cfg, opt))
        assert np.isfinite(h["loss"]).all(), (key, value)
        if key == "init" and value == "zeros":
            w = model[0].weight.numpy()
            assert np.allclose(w, w[0])  # zero init: every unit gets the same gradient and stays the same


def test_csv_dataset_end_to_end(tmp_path, capsys):
    rng = np.random.default_rng(0)
    X = rng.normal(size=(200, 3))
    price = 3 * X[:, 0] - 2 * X[:, 1] + 0.1 * rng.normal(size=200) + 100
    rows = ["a,b,c,price"] + [f"{x[0]},{x[1]},{x[2]},{p}" for x, p in zip(X, price)]
    (tmp_path / "houses.csv").write_text("\n".join(rows) + "\n")
    code, out, _ = run_cli(["train", "--dataset", f"csv:{tmp_path / 'houses.csv'}", "--target", "price",
                            "--epochs", "40", "--dropout", "0", "--lr", "0.01", "--out", str(tmp_path / "r")], capsys)
    assert code == 0 and "regression" in out
    assert json.loads((tmp_path / "r" / "summary.json").read_text())["test"]["r2"] > 0.95
    code, out, _ = run_cli(["predict", "--run", str(tmp_path / "r"), "--input", str(tmp_path / "houses.csv")], capsys)
    pred = np.array([float(v) for v in out.split()[1:]])
    assert out.startswith("prediction\n") and np.corrcoef(pred, price)[0, 1] > 0.97
    (tmp_path / "bad.csv").write_text("a,b\n1,x\n")
    code, _, err = run_cli(["train", "--dataset", f"csv:{tmp_path / 'bad.csv'}", "--out", str(tmp_path / "b")],
                           capsys)
    assert code == 2 and "row 2, column 'b'" in err and not (tmp_path / "b").exists()
    code, _, err = run_cli(["train", "--dataset", f"csv:{tmp_path / 'houses.csv'}", "--target", "cost"], capsys)
    assert code == 2 and "unknown target column 'cost'" in err

"""Sweeps on local processes and in this process: grid, random and Optuna searches; a diverging trial is
recorded as failed, not fatal; the Python API."""

import io
import os

import pytest

import chainrule as cr
from chainrule.runstore import RunStore
from chainrule.sweeps.search import OptunaSearch
from chainrule.sweeps.spec import make_spec
from optional import require

BASE = {"epochs": 2, "hidden": [8], "batch_size": 128}


def optuna():
    return require("optuna", "pip install 'chainrule[sweep]'")


@pytest.mark.filterwarnings("ignore::RuntimeWarning")  # the overflow of the diverging trial
def test_a_diverging_trial_is_recorded_as_failed_and_the_sweep_goes_on(tmp_path):
    out = io.StringIO()
    result = cr.sweep(train={**BASE, "optimizer": "sgd"}, space={"lr": [0.1, 1e6]}, seeds=2, workers=2,
                      store=tmp_path / "runs.db", out=str(tmp_path / "trials"), stream=out)
    runs = {(r["params"]["lr"], r["seed"]): r for r in result.runs()}
    assert len(runs) == 4
    assert all(runs[(1e6, s)]["status"] == "failed" for s in (0, 1))
    assert runs[(1e6, 0)]["error"].startswith("DivergenceError:")
    assert all(runs[(0.1, s)]["status"] == "finished" for s in (0, 1))
    assert result.best["lr"] == 0.1 and result.best["n"] == 2
    row = next(r for r in result.table().rows if r["lr"] == 1e6)
    assert (row["n"], row["failed"], row["val_accuracy"]) == (0, 2, None)
    text = out.getvalue()
    assert "FAILED: DivergenceError" in text and "4/4 trials done, 2 failed" in text
    assert "executor: 2 local processes" in text
    for r in runs.values():  # each trial is a normal run folder, recorded with its worker process
        assert os.path.exists(os.path.join(r["dir"], "config.json")) and " pid " in r["worker"]


def test_random_search_draws_its_points_from_the_space(tmp_path):
    result = cr.sweep(train=BASE, space={"lr": {"log_uniform": [1e-3, 1e-1]}, "activation": ["relu", "tanh"]},
                      method="random", trials=3, seed=5, workers=0, store=tmp_path / "runs.db",
                      out=str(tmp_path / "t"), stream=io.StringIO())
    runs = result.runs()
    assert len(runs) == 3 and all(r["status"] == "finished" for r in runs)
    assert all(1e-3 <= r["params"]["lr"] <= 1e-1 and r["params"]["activation"] in ("relu", "tanh") for r in runs)


def test_optuna_asks_for_points_and_learns_each_ones_mean(tmp_path):
    optuna()
    out = io.StringIO()
    result = cr.sweep(train={"epochs": 1}, space={"lr": {"log_uniform": [1e-3, 1e-1]}, "hidden": [[8], [16, 16]]},
                      method="optuna", trials=3, seeds=2, sampler="tpe", workers=0, store=tmp_path / "runs.db",
                      out=str(tmp_path / "t"), stream=out)
    runs = result.runs()
    assert len(runs) == 6 and all(r["status"] == "finished" for r in runs)
    assert {r["point"] for r in runs} == {0, 1, 2} and all(r["params"]["hidden"] in ([8], [16, 16]) for r in runs)
    assert RunStore(tmp_path / "runs.db").sweep(result.id)["n_trials"] == 6
    assert "optuna tpe (3 points)" in out.getvalue()


def test_optuna_resume_tells_the_study_what_was_done_and_reruns_the_rest():
    optuna()
    spec = make_spec(BASE, {"lr": {"log_uniform": [1e-3, 1e-1]}, "activation": ["relu", "tanh"]},
                     method="optuna", trials=3, seeds=2)
    p0, p1 = {"lr": 0.01, "activation": "tanh"}, {"lr": 0.05, "activation": "relu"}
    planned = [{"key": f"p000-s{s}", "point": 0, "seed": s, "params": p0} for s in (0, 1)]
    planned += [{"key": f"p001-s{s}", "point": 1, "seed": s, "params": p1} for s in (0, 1)]
    done = {"p000-s0": (0, p0, 0.8), "p000-s1": (0, p0, 0.9), "p001-s0": (1, p1, 0.7)}
    search = OptunaSearch(spec)
    search.restore(done, planned)
    finished = search.study.get_trials(deepcopy=False, states=[optuna().trial.TrialState.COMPLETE])
    assert len(finished) == 1 and finished[0].value == pytest.approx(0.85)
    again = search.next_trial()
    assert again["key"] == "p001-s1" and again["params"] == p1  # the point that was in flight, same values
    search.report(again, 0.75)
    assert len(search.study.get_trials(states=[optuna().trial.TrialState.COMPLETE])) == 2
    new = search.next_trial()
    assert new["point"] == 2 and new["seed"] == 0
    assert search.next_trial()["key"] == "p002-s1" and search.next_trial() is None  # the budget: 3 points


def test_the_cli_runs_a_sweep_file_and_names_what_is_wrong(tmp_path, capsys):
    from chainrule.cli import main

    (tmp_path / "s.toml").write_text("[train]\nepochs = 1\nhidden = [8]\n[space]\nlr = [0.01, 0.1]\n")
    db = str(tmp_path / "runs.db")
    assert main(["sweep", str(tmp_path / "s.toml"), "--dry-run", "--store", db]) == 0
    assert "p001-s0  lr=0.1 seed=0" in capsys.readouterr().out
    assert main(["sweep", str(tmp_path / "s.toml"), "--workers", "0", "--store", db]) == 0
    text = capsys.readouterr().out
    assert "2/2 trials done" in text and "compare: chainrule runs compare --sweep s-" in text
    assert main(["sweep", str(tmp_path / "s.toml"), "--resume", "--store", db]) == 2
    assert "--resume: no unfinished sweep of" in capsys.readouterr().err
    (tmp_path / "bad.toml").write_text("[space]\nlr = [0.1, -1]\n")
    assert main(["sweep", str(tmp_path / "bad.toml"), "--store", db]) == 2
    assert "lr (in " in capsys.readouterr().err
    assert main(["sweep", str(tmp_path / "s.toml"), "--workers", "2", "--dask-local", "2", "--store", db]) == 2
    assert "--workers sets the local processes" in capsys.readouterr().err
    assert main(["sweep"]) == 2
    assert "give the sweep file" in capsys.readouterr().err


def test_the_core_and_the_cli_parser_import_no_sweep_machinery():
    import subprocess
    import sys

    code = ("import sys, chainrule; from chainrule.cli import build_parser; build_parser(); "
            "print(sorted({m.split('.')[0] for m in sys.modules} & {'dask', 'distributed', 'optuna', 'sqlite3', "
            "'multiprocessing'}))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "[]"
    assert callable(cr.sweep) and cr.sweep.__module__ == "chainrule"

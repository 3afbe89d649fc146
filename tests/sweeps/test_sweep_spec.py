"""A sweep file is checked before any trial runs; every message names the field and what is allowed."""

import pytest

from chainrule.sweeps.space import grid_points, random_points, trial_key
from chainrule.sweeps.spec import SpecError, make_spec, read_spec
from chainrule.train.config import ConfigError


def write(tmp_path, text):
    path = tmp_path / "s.toml"
    path.write_text(text)
    return path


def test_a_grid_file_gives_every_combination_times_the_seeds(tmp_path):
    spec = read_spec(write(tmp_path, """
[sweep]
seeds = 3
[train]
epochs = 2
hidden = [16]
[space]
lr = [0.001, 0.01]
activation = ["relu", "tanh", "sigmoid"]
"""))
    assert spec.name == "s" and spec.method == "grid" and spec.seeds == [0, 1, 2]
    assert (spec.n_points, spec.n_trials) == (6, 18)
    assert (spec.metric, spec.direction) == ("val_accuracy", "max")
    assert grid_points(spec.space)[:2] == [{"lr": 0.001, "activation": "relu"}, {"lr": 0.001, "activation": "tanh"}]
    cfg = spec.trial_config({"lr": 0.01, "activation": "tanh"}, 2, out="x")
    assert (cfg["lr"], cfg["activation"], cfg["seed"], cfg["epochs"], cfg["hidden"], cfg["out"]) == (
        0.01, "tanh", 2, 2, [16], "x")
    assert "grid over lr (2) × activation (3), 3 seeds = 18 trials" in spec.describe()
    assert trial_key(7, 2) == "p007-s2"


def test_random_points_are_reproducible_and_inside_their_bounds():
    spec = make_spec({"epochs": 1}, {"lr": {"log_uniform": [1e-4, 1e-1]}, "hidden": [[16], [32, 32]],
                                     "batch_size": {"log_int": [16, 128]}, "dropout": {"uniform": [0, 0.5]}},
                     method="random", trials=20, seed=3)
    a, b = random_points(spec.space, 20, 3), random_points(spec.space, 20, 3)
    assert a == b and a != random_points(spec.space, 20, 4)
    assert all(1e-4 <= p["lr"] <= 1e-1 and 16 <= p["batch_size"] <= 128 and 0 <= p["dropout"] <= 0.5 for p in a)
    assert {tuple(p["hidden"]) for p in a} == {(16,), (32, 32)}
    assert spec.metric == "val_accuracy" and make_spec({"dataset": "diabetes"}, {}).metric == "val_loss"


@pytest.mark.parametrize("train,space,options,message", [
    ({"lrr": 0.1}, {}, {}, "lrr (in the sweep's [train]): not a chainrule train option; allowed: dataset"),
    ({}, {"seed": [1, 2]}, {}, "seed (in the sweep's [space]): the sweep sets each trial's seed: use seeds = N"),
    ({"out": "x"}, {}, {}, "out (in the sweep's [train]): the sweep places each trial's run folder"),
    ({"lr": 0.1}, {"lr": [0.1]}, {}, "lr in both [train] and [space]; keep each option in one"),
    ({}, {"lr": 0.1}, {}, "lr (in the sweep's [space]): expected a list of values to try"),
    ({}, {"lr": []}, {}, "lr (in the sweep's [space]): an empty list"),
    ({}, {"lr": {"log_uniform": [0, 1]}}, {"method": "random", "trials": 2}, "log_uniform needs [low, high] (two "
                                                                              "numbers low < high, low > 0)"),
    ({}, {"lr": {"log_uniform": [1e-4, 1]}}, {}, "a grid needs a list of values; a distribution needs method"),
    ({}, {"activation": ["relu", "reul"]}, {}, "activation (in the sweep's [space]): unknown value 'reul' (did you "
                                               "mean 'relu'?); allowed: relu, tanh"),
    ({}, {"lr": [0.1, -1.0]}, {}, "lr (in the sweep's [space]): expected a number in (0, ∞), got -1.0"),
    ({}, {}, {"method": "bayes"}, "method (in the sweep): 'bayes'; allowed: grid, random, optuna"),
    ({}, {}, {"method": "random"}, "method = \"random\" needs trials = N"),
    ({}, {}, {"trials": 5}, "a grid runs every combination; trials = N is the budget"),
    ({}, {}, {"seeds": 0}, "seeds (in the sweep): expected an integer >= 1, got 0"),
    ({}, {}, {"seeds": [1, 1]}, "seeds (in the sweep): expected distinct seeds"),
    ({}, {}, {"metric": "val_acc"}, "metric (in the sweep): 'val_acc'; allowed: val_loss, val_accuracy"),
    ({}, {}, {"name": "my sweep"}, "name (in the sweep): 'my sweep'; expected letters, digits"),
    ({}, {}, {"method": "optuna", "trials": 3, "sampler": "bo"}, "sampler (in the sweep): 'bo'; allowed: tpe"),
])
def test_bad_specs_are_refused_with_the_field_named(train, space, options, message):
    with pytest.raises(ConfigError) as e:
        make_spec(train, space, **options)
    assert message in str(e.value), str(e.value)


def test_a_combination_that_clashes_is_refused_before_running(tmp_path):
    spec = make_spec({"optimizer": "sgd"}, {"nesterov": [True, False], "momentum": [0.0, 0.9]})
    with pytest.raises(SpecError, match="the trial nesterov=True, momentum=0.0, seed 0: nesterov .*needs --momentum"):
        for p in grid_points(spec.space):
            spec.trial_config(p, 0)


@pytest.mark.parametrize("text,message", [
    ("[sweep]\nmethods = 'grid'\n", "[sweep]: unknown key 'methods'; allowed: name, method"),
    ("[swep]\n", "unexpected 'swep'; a sweep file has the tables [sweep], [train]"),
    ("[train]\n[train.x]\na = 1\n", "[train]: unexpected table 'x'"),
    ("[sweep\n", "is not valid TOML"),
])
def test_bad_files(tmp_path, text, message):
    with pytest.raises(SpecError) as e:
        read_spec(write(tmp_path, text))
    assert message in str(e.value), str(e.value)
    with pytest.raises(SpecError, match="sweep file: file not found"):
        read_spec(tmp_path / "missing.toml")


def test_the_readme_sweep_file_plans_54_trials():
    from pathlib import Path

    spec = read_spec(Path(__file__).parents[2] / "examples" / "sweep_lr_activation.toml")
    assert (spec.name, spec.n_points, spec.n_trials, spec.seeds) == ("lr-activation", 18, 54, [0, 1, 2])
    assert list(spec.space) == ["lr", "activation"]

"""map_trials: the executor API for code with its own trials (the labs' multi-seed runs)."""

import pytest
import trial_functions as tf

from chainrule.sweeps import TrialError, map_trials
from chainrule.sweeps.executors import ExecutorError, ProcessExecutor, make_executor


def test_in_this_process_by_default_results_in_order_with_seeds():
    out = map_trials(tf.square, [{"x": 2}, {"x": 3}], seeds=2)
    assert [(r["y"], r["seed"]) for r in out] == [(4, 0), (4, 1), (9, 0), (9, 1)]
    assert map_trials(lambda c: {"z": c["x"] + 1}, [{"x": 1}]) == [{"z": 2}]  # any callable in this process


def test_local_processes_give_the_same_results():
    with ProcessExecutor(2) as ex:
        out = map_trials("trial_functions:square", [{"x": x} for x in range(5)], seeds=[7], executor=ex)
        again = map_trials(tf.square, [{"x": 1}], executor=ex)  # an executor serves several calls
    assert [r["y"] for r in out] == [0, 1, 4, 9, 16] and {r["seed"] for r in out} == {7}
    assert again[0]["y"] == 1


def test_bad_functions_and_configs_are_refused():
    with pytest.raises(TypeError, match="define it at the top level of a module"):
        map_trials(lambda c: c, [{}], workers=1)
    with pytest.raises(ValueError, match="expected 'module:function'"):
        map_trials("trial_functions.square", [{}], workers=1)
    with pytest.raises(TypeError, match="config 0 .* is not JSON data"):
        map_trials(tf.square, [{"x": object()}])
    with pytest.raises(ValueError, match="configs\\[0\\] has a 'seed' and seeds= is given"):
        map_trials(tf.square, [{"x": 1, "seed": 3}], seeds=2)
    with pytest.raises(ExecutorError, match="--scheduler .* or --dask-local N .*, not both"):
        make_executor(scheduler="tcp://127.0.0.1:1", dask_local=1)


def test_a_failing_trial_raises_with_the_workers_traceback_or_is_returned():
    with pytest.raises(TrialError, match="trial 1 \\{'x': 2\\} failed: ValueError: x=2 is not allowed") as e:
        map_trials(tf.fails_on_two, [{"x": 1}, {"x": 2}, {"x": 3}], workers=2)
    assert "fails_on_two" in e.value.remote_traceback and e.value.config == {"x": 2}
    out = map_trials(tf.fails_on_two, [{"x": 1}, {"x": 2}], errors="return")
    assert out[0] == {"y": 1} and out[1]["error"] == "ValueError: x=2 is not allowed here"


def test_a_worker_that_dies_is_replaced_and_its_trial_retried(tmp_path):
    out = map_trials(tf.dies_once, [{"marker": str(tmp_path / "m")}], workers=1)
    assert out == [{"ok": True}]
    with pytest.raises(TrialError, match="its worker died on each of 2 attempts"):
        map_trials(tf.always_dies, [{}], workers=1, retries=1)


def test_a_labs_multi_seed_runs_give_the_same_numbers_on_any_executor():
    """How a lab fans out its seeds: the numbers must not depend on where the trials ran."""
    configs = [{"act": act, "lr": 0.5, "steps": 20} for act in ("Tanh", "ReLU")]
    here = map_trials(tf.tiny_training, configs, seeds=3)
    there = map_trials(tf.tiny_training, configs, seeds=3, workers=2)
    assert here == there and len(here) == 6
    assert here[0] != here[1]  # the seeds differ
    assert all(r["losses"][-1] < r["losses"][0] for r in here)

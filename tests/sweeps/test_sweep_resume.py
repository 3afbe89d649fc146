"""A sweep stopped by Ctrl-C, then killed outright (SIGKILL), resumes each time and ends with exactly the
trials — and the numbers — of an uninterrupted run."""

import io
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

import chainrule as cr
from chainrule.runstore import RunStore, StoreError

SWEEP = """
[sweep]
name = "resume"
seeds = 2
[train]
epochs = 3
hidden = [8]
batch_size = 128
[space]
lr = [0.003, 0.01, 0.03]
activation = ["relu", "tanh"]
"""
N = 12
SRC = str(Path(__file__).parents[2] / "src")


def start(args, tmp_path):
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, os.environ.get("PYTHONPATH", "")])}
    return subprocess.Popen([sys.executable, "-m", "chainrule.cli", "sweep", *args], cwd=tmp_path, env=env,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, start_new_session=True)


def wait_for_finished(db, at_least, proc):
    """Poll the store (as `chainrule runs ls` would) until `at_least` trials are finished."""
    while proc.poll() is None:
        try:
            done = [r for r in RunStore(db).runs(status="finished")]
        except StoreError:  # not created yet
            done = []
        if len(done) >= at_least:
            return len(done)
        time.sleep(0.02)
    raise AssertionError(f"the sweep ended before {at_least} trials were done: {proc.communicate()}")


def trial_set(db):
    runs = RunStore(db).runs()
    assert len({r["trial_key"] for r in runs}) == len(runs)  # a trial is recorded once
    return {r["trial_key"]: (r["params"], r["seed"], r["status"], r["summary"]["val"]["accuracy"],
                             r["summary"]["test"]["loss"]) for r in runs}


@pytest.mark.slow
def test_interrupted_and_killed_sweeps_resume_to_the_uninterrupted_result(tmp_path):
    (tmp_path / "s.toml").write_text(SWEEP)
    ref = cr.sweep(tmp_path / "s.toml", store=tmp_path / "ref.db", out=str(tmp_path / "ref"), workers=0,
                   stream=io.StringIO())
    db = str(tmp_path / "runs.db")
    args = ["s.toml", "--store", db, "--workers", "1"]

    # 1. Ctrl-C: the sweep stops its worker, records its state, says how to resume, exits 130
    proc = start(args, tmp_path)
    wait_for_finished(db, 2, proc)
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=300)
    assert proc.returncode == 130, err
    assert "interrupted" in err and "resume with: chainrule sweep --resume resume-" in err
    store = RunStore(db)
    (sweep,) = store.sweeps()
    assert sweep["status"] == "interrupted"
    first = {r["trial_key"] for r in store.runs(status="finished")}
    assert 2 <= len(first) < N

    # 2. resumed, then killed outright mid-run (no chance to record anything)
    proc = start([*args, "--resume"], tmp_path)
    wait_for_finished(db, len(first) + 2, proc)
    killed_at = time.time()
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate(timeout=300)
    assert store.sweep(sweep["id"])["status"] == "running"  # as a crash leaves it
    second = {r["trial_key"]: (r["attempts"], r["finished"]) for r in store.runs(status="finished")}
    assert first < set(second) and len(second) < N

    # 3. resumed again: only what is not finished runs
    proc = start([*args, "--resume", sweep["id"]], tmp_path)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert f"resuming: {len(second)} trials already done, {N - len(second)} to run" in out
    assert store.sweep(sweep["id"])["status"] == "finished"
    runs = store.runs()
    assert len(runs) == N and all(r["status"] == "finished" for r in runs)
    for r in runs:
        if r["trial_key"] in second:  # finished before the kill: never run again
            assert (r["attempts"], r["finished"]) == second[r["trial_key"]] and r["finished"] < killed_at
        if r["trial_key"] in first:
            assert r["attempts"] == 1
        assert [e["epoch"] for e in store.epochs(r["id"])] == [1, 2, 3]
    got, want = trial_set(db), trial_set(ref.store.path)
    assert got.keys() == want.keys()
    for key in want:
        assert got[key][:3] == want[key][:3]
        assert got[key][3:] == pytest.approx(want[key][3:], rel=1e-6)  # same seeds, same numbers


def children(pid):
    """The worker processes a sweep started (Linux /proc), without its multiprocessing resource tracker."""
    found = []
    for task in Path(f"/proc/{pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            cmdline = Path(f"/proc/{child}/cmdline").read_bytes().replace(b"\0", b" ").decode()
            if "spawn_main" in cmdline and "resource_tracker" not in cmdline:
                found.append(int(child))
    return found


@pytest.mark.slow
@pytest.mark.skipif(not Path("/proc/self/task").exists(), reason="finds the worker processes in /proc (Linux)")
def test_a_local_worker_killed_mid_trial_is_replaced_and_the_trial_retried(tmp_path):
    (tmp_path / "s.toml").write_text(SWEEP.replace('seeds = 2', 'seeds = 1\nout = "trials"').replace(
        "epochs = 3", "epochs = 12"))
    db = str(tmp_path / "runs.db")
    proc = start(["s.toml", "--store", db, "--workers", "1"], tmp_path)
    wait_for_finished(db, 1, proc)

    def mid_trial():
        for folder in (tmp_path / "trials").glob("*/p*"):
            history = folder / "history.csv"
            if (folder / "config.json").exists() and not (folder / "summary.json").exists() and (
                    not history.exists() or len(history.read_text().splitlines()) < 8):
                return folder.name
        return None

    while (killed := mid_trial()) is None:
        assert proc.poll() is None, proc.communicate()
        time.sleep(0.02)
    (worker,) = children(proc.pid)
    os.kill(worker, signal.SIGKILL)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    assert f"lost {killed} (attempt 1: a local worker process died" in out and "6/6 trials done" in out
    runs = {r["trial_key"]: r for r in RunStore(db).runs()}
    assert len(runs) == 6 and all(r["status"] == "finished" for r in runs.values())
    assert runs[killed]["attempts"] == 2 and all(r["attempts"] == 1 for k, r in runs.items() if k != killed)
    assert [e["epoch"] for e in RunStore(db).epochs(runs[killed]["id"])] == list(range(1, 13))

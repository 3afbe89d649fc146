"""Sweeps and map_trials on a real Dask cluster: a `dask scheduler` and two `dask worker` processes on
127.0.0.1, started here. One worker is SIGKILLed in the middle of a trial; the sweep still completes
with every trial recorded exactly once."""

import json
import os
import re
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from chainrule.runstore import RunStore
from optional import require

HERE = Path(__file__).parent
SRC = str(HERE.parents[1] / "src")
ENV = {**os.environ, "PYTHONPATH": os.pathsep.join([SRC, str(HERE), os.environ.get("PYTHONPATH", "")])}
KEY = re.compile(r"^chainrule-(?P<sweep>.+)-(?P<trial>p\d{3}-s\d+)-a\d+$")


def distributed():
    return require("distributed", "pip install 'chainrule[sweep]'")


def wait_until(what, check, procs, deadline_s=180):
    """Poll ``check()`` until it returns something truthy; fail if a process died or the deadline passed."""
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        value = check()
        if value:
            return value
        for p in procs:
            if p.poll() is not None:
                raise AssertionError(f"{p.args[:3]} exited ({p.returncode}) while waiting for {what}")
        time.sleep(0.02)
    raise AssertionError(f"gave up waiting for {what}")


@pytest.fixture(scope="module")
def cluster(tmp_path_factory):
    dd = distributed()
    tmp = tmp_path_factory.mktemp("dask")
    logs = []

    def start(module, *args, name):
        log = open(tmp / f"{name}.log", "w")
        logs.append(log)
        return subprocess.Popen([sys.executable, "-m", f"distributed.cli.{module}", *args], env=ENV, cwd=tmp,
                                stdout=log, stderr=subprocess.STDOUT)

    procs = {"scheduler": start("dask_scheduler", "--host", "127.0.0.1", "--port", "0", "--no-dashboard",
                                "--scheduler-file", str(tmp / "scheduler.json"), name="scheduler")}
    try:
        wait_until("the scheduler file", lambda: (tmp / "scheduler.json").exists(), procs.values())
        address = json.loads((tmp / "scheduler.json").read_text())["address"]
        assert address.startswith("tcp://127.0.0.1:")
        for name in ("w1", "w2"):  # no nanny: a killed worker stays dead
            procs[name] = start("dask_worker", address, "--nthreads", "1", "--no-nanny", "--no-dashboard",
                                "--host", "127.0.0.1", "--name", name, name=name)
        client = dd.Client(address, timeout=60)
        client.wait_for_workers(2, timeout=180)
        yield {"address": address, "procs": procs, "client": client, "tmp": tmp}
        client.close()
    finally:
        for p in procs.values():
            if p.poll() is None:
                p.terminate()
        for p in procs.values():
            try:
                p.wait(timeout=30)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()
        for log in logs:
            log.close()


def worker_address(client, name):
    return next(a for a, w in client.scheduler_info()["workers"].items() if w["name"] == name)


@pytest.mark.slow
def test_map_trials_runs_on_the_cluster_workers(cluster):
    from chainrule.sweeps import map_trials

    out = map_trials("trial_functions:square", [{"x": x} for x in range(6)], seeds=1, scheduler=cluster["address"])
    assert [r["y"] for r in out] == [0, 1, 4, 9, 16, 25]
    assert os.getpid() not in {r["pid"] for r in out}
    with pytest.raises(TypeError, match="Dask workers cannot import it"):
        map_trials("__main__:square", [{}], scheduler=cluster["address"])


SWEEP = """
[sweep]
name = "dask"
seeds = 2
out = "trials"
[train]
epochs = 10
hidden = [32]
batch_size = 64
[space]
lr = [0.003, 0.01, 0.03]
activation = ["relu", "tanh"]
"""


@pytest.mark.slow
def test_a_worker_killed_mid_trial_does_not_lose_or_double_a_trial(cluster, tmp_path):
    client, procs = cluster["client"], cluster["procs"]
    (tmp_path / "s.toml").write_text(SWEEP)
    db = tmp_path / "runs.db"
    sweep = subprocess.Popen([sys.executable, "-m", "chainrule.cli", "sweep", "s.toml", "--scheduler",
                              cluster["address"], "--store", str(db)], cwd=tmp_path, env=ENV, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    w1 = worker_address(client, "w1")

    def w1_mid_trial():
        """A trial of w1's that has started (config.json written) and is far from done (< 6 of 10 epochs)."""
        for key in client.processing(workers=[w1]).get(w1, []):
            m = KEY.match(str(key))
            folder = tmp_path / "trials" / m["sweep"] / m["trial"] if m else None
            if folder and (folder / "config.json").exists() and not (folder / "summary.json").exists():
                history = folder / "history.csv"
                if not history.exists() or len(history.read_text().splitlines()) < 7:
                    return m["trial"]
        return None

    killed = wait_until("a trial running on w1", w1_mid_trial, [sweep, procs["w1"]])
    procs["w1"].send_signal(signal.SIGKILL)
    out, err = sweep.communicate(timeout=600)
    assert sweep.returncode == 0, err
    assert procs["w1"].wait(timeout=30) == -signal.SIGKILL
    store = RunStore(db)
    (sw,) = store.sweeps()
    runs = store.runs(sweep=sw["id"])
    assert sw["status"] == "finished" and len(runs) == 12
    assert sorted(r["trial_key"] for r in runs) == sorted(f"p{p:03d}-s{s}" for p in range(6) for s in (0, 1))
    assert all(r["status"] == "finished" for r in runs), [(r["trial_key"], r["error"]) for r in runs]
    for r in runs:
        assert [e["epoch"] for e in store.epochs(r["id"])] == list(range(1, 11))  # every epoch once
        assert r["summary"]["test"]["accuracy"] > 0.3
    w2 = worker_address(client, "w2")
    redone = next(r for r in runs if r["trial_key"] == killed)
    assert redone["worker"] == w2  # Dask gave the killed worker's trial to the other one
    assert store.count("epochs") == 12 * 10
    assert "12/12 trials done" in out and f"executor: the Dask scheduler at {cluster['address']}" in out

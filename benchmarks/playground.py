"""Playground speed, measured in the browser (headless Chromium via Playwright).

TF Playground's default setup (circle, inputs X1 X2, hidden [4, 2] tanh, batch 10, 50% of 500 points =
250 training points, SGD lr 0.03): press play, then count for ``--seconds``
  * epochs/s: the server's epoch counter as the page receives it,
  * full visual updates/s: frames the page drew (heatmap, every thumbnail, links, loss chart).
Targets: >= 60 epochs/s while >= 20 visual updates/s. The machine is shared (the load average is recorded):
the faster settings' numbers move with whatever else runs. Runs at the default speed (1 epoch per 1/60 s tick,
TF Playground's pace), at 5 epochs per tick and as fast as possible. Writes benchmarks/results/playground.json.

    .venv/bin/python benchmarks/playground.py [--seconds 8]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import sys
import threading
import time
from pathlib import Path

import uvicorn
from playwright.sync_api import sync_playwright

from chainrule.playground.server import create_app

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SPEEDS = {"default (1 epoch/tick)": 1, "5 epochs/tick": 5, "as fast as possible": 0}


def start_server():
    sys.setswitchinterval(0.001)  # as chainrule.playground.server.serve does
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(create_app(), log_level="warning", ws_max_size=1 << 20))
    threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{sock.getsockname()[1]}/", server


def measure(page, url, speed, seconds):
    page.goto("about:blank")  # a new hash alone would not reload the page
    page.goto(f"{url}#dataset=circle&networkShape=4,2&activation=tanh&batchSize=10&percTrainData=50"
              f"&learningRate=0.03&seed=1&speed={speed}")
    page.wait_for_function("window.playground && window.playground.frame !== null")
    page.click("#play-pause-button")
    page.wait_for_timeout(1000)  # warm up
    probe = ("(f => [f.epoch, f.t, window.playground.renders, performance.now(), window.playground.renderMs])"
             "(window.playground.frame)")
    e0, s0, r0, t0, m0 = page.evaluate(probe)
    page.wait_for_timeout(seconds * 1000)
    e1, s1, r1, t1, m1 = page.evaluate(probe)
    page.click("#play-pause-button")
    dt = (t1 - t0) / 1000
    # epochs over the server's clock between the two frames (no client jitter); frames drawn over the page's
    return {"epochs_per_s": round((e1 - e0) / (s1 - s0), 1), "visual_updates_per_s": round((r1 - r0) / dt, 1),
            "page_ms_per_update": round((m1 - m0) / max(r1 - r0, 1), 2), "seconds": round(dt, 2),
            "train_points": len(page.evaluate("window.playground.data.train")),
            "test_loss_at_end": page.evaluate("window.playground.frame.testLoss")}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "playground.json"))
    args = ap.parse_args()
    url, server = start_server()
    results = {}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        for name, speed in SPEEDS.items():
            results[name] = measure(page, url, speed, args.seconds)
            print(f"{name:24s} {results[name]['epochs_per_s']:7.1f} epochs/s   "
                  f"{results[name]['visual_updates_per_s']:5.1f} visual updates/s   "
                  f"{results[name]['page_ms_per_update']:5.2f} ms drawing each", flush=True)
        browser.close()
    server.should_exit = True
    default = results["default (1 epoch/tick)"]
    out = {
        "benchmark": "playground in headless Chromium, TF Playground default setup",
        "setup": {"dataset": "circle", "networkShape": [4, 2], "activation": "tanh", "batchSize": 10,
                  "train_points": default["train_points"], "optimizer": "sgd", "learningRate": 0.03},
        "targets": {"epochs_per_s": 60, "visual_updates_per_s": 20},
        "met_at_default_speed": default["epochs_per_s"] >= 60 * 0.98 and default["visual_updates_per_s"] >= 20,
        "results": results,
        "machine": {"cpus": os.cpu_count(), "load_average_1m_at_end": round(os.getloadavg()[0], 2),
                    "python": platform.python_version(), "platform": platform.platform()},
        "date": time.strftime("%Y-%m-%d %H:%M"),
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(out, indent=2) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()

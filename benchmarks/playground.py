"""Playground speed for one student, measured in the browser (headless Chromium via Playwright), and the
largest network the page draws at 20 frames/s.

Speed: TF Playground's default setup (circle, inputs X1 X2, hidden [4, 2] tanh, batch 10, 50% of 500 points =
250 training points, SGD lr 0.03) on the real server (``chainrule playground --workers N``): press play, then
count for ``--seconds``
  * epochs/s: the server's epoch counter as the page receives it (on the server's clock),
  * frames/s: full visual updates the page drew (heatmap, every thumbnail, links, loss chart),
  * page ms per frame: the page's own JavaScript time for one update.
Targets: >= 60 epochs/s while >= 20 frames/s, at the default speed (1 epoch per 1/60 s tick, TF Playground's
pace), at 5 epochs per tick and as fast as possible.

Sizes: the page's ms per frame with networks of L layers × N neurons up to the page's bound (8 layers of 16),
and the cost per link fitted to them: the bound holds if 8 × 16 stays under 50 ms a frame (20 frames/s), and the
fit says how many links would (a link the page refuses cannot be measured through the page).

Chromium renders in software here (no GPU) and the machine is shared: the load average is recorded, and the
numbers move with it. Writes benchmarks/results/playground.json.

    .venv/bin/python benchmarks/playground.py [--seconds 8] [--workers 2]
"""

from __future__ import annotations

import argparse
from pathlib import Path

from playground_common import machine, start_playground, stop, write_results
from playwright.sync_api import sync_playwright

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SPEEDS = {"default (1 epoch/tick)": 1, "5 epochs/tick": 5, "as fast as possible": 0}
SIZES = [(2, 4), (6, 8), (4, 16), (6, 16), (8, 16)]  # (layers, neurons per layer)
PROBE = ("(f => [f.epoch, f.t, window.playground.renders, performance.now(), window.playground.renderMs])"
         "(window.playground.frame)")


def open_page(page, url, setup):
    page.goto("about:blank")  # a new hash alone would not reload the page
    page.goto(f"{url}#{setup}")
    page.wait_for_function("window.playground && window.playground.frame !== null")


def measure(page, seconds):
    page.click("#play-pause-button")
    page.wait_for_timeout(1500)  # warm up
    e0, s0, r0, t0, m0 = page.evaluate(PROBE)
    page.wait_for_timeout(seconds * 1000)
    e1, s1, r1, t1, m1 = page.evaluate(PROBE)
    page.click("#play-pause-button")
    dt = (t1 - t0) / 1000
    # epochs over the server's clock between the two frames (no client jitter); frames drawn over the page's
    return {"epochs_per_s": round((e1 - e0) / (s1 - s0), 1), "frames_per_s": round((r1 - r0) / dt, 1),
            "page_ms_per_frame": round((m1 - m0) / max(r1 - r0, 1), 2), "seconds": round(dt, 2)}


def link_cost(rows) -> dict:
    """Least-squares ms per frame = a + b · links."""
    n = len(rows)
    xs, ys = [r["links"] for r in rows], [r["page_ms_per_frame"] for r in rows]
    mx, my = sum(xs) / n, sum(ys) / n
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / max(sum((x - mx) ** 2 for x in xs), 1e-9)
    a = my - b * mx
    return {"ms_base": round(a, 2), "us_per_link": round(1000 * b, 2),
            "links_at_50_ms": int((50 - a) / b) if b > 0 else None}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "playground.json"))
    args = ap.parse_args()
    proc, url = start_playground("--workers", str(args.workers))
    speeds, sizes = {}, {}
    try:
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1400, "height": 1000})
            for name, speed in SPEEDS.items():
                before = machine()["load_average_1m"]
                open_page(page, url, "dataset=circle&networkShape=4,2&activation=tanh&batchSize=10&percTrainData=50"
                                     f"&learningRate=0.03&seed=1&speed={speed}")
                r = speeds[name] = {**measure(page, args.seconds),
                                    "load_average_1m": [before, machine()["load_average_1m"]]}
                print(f"{name:24s} {r['epochs_per_s']:7.1f} epochs/s  {r['frames_per_s']:5.1f} frames/s  "
                      f"{r['page_ms_per_frame']:5.2f} ms drawing each   load {r['load_average_1m']}", flush=True)
            for layers, neurons in SIZES:
                open_page(page, url, f"networkShape={','.join([str(neurons)] * layers)}&seed=1&speed=1")
                if page.evaluate("window.playground.notices.length"):  # beyond the bound: the link falls back
                    sizes[f"{layers}x{neurons}"] = {"refused": page.evaluate("window.playground.notices[0]")}
                    continue
                links = page.locator("#links-svg path.link").count()
                r = sizes[f"{layers}x{neurons}"] = {"links": links, **measure(page, args.seconds / 2)}
                print(f"{layers} layers x {neurons:2d} neurons ({links:5d} links): {r['page_ms_per_frame']:6.1f} ms "
                      f"drawing each frame, {r['frames_per_s']:5.1f} frames/s", flush=True)
            browser.close()
    finally:
        stop(proc)
    fit = link_cost([r for r in sizes.values() if "links" in r])
    print(f"page cost: {fit['ms_base']:.1f} ms + {fit['us_per_link']:.1f} µs a link; 50 ms a frame at "
          f"{fit['links_at_50_ms']} links (8 layers of 16 neurons: 1,840; of 32: 7,232)")
    default = speeds["default (1 epoch/tick)"]
    write_results(args.out, {
        "benchmark": "playground in headless Chromium (software rendering): one student, TF Playground's default "
                     "setup; and the page's cost per frame by network size",
        "setup": {"dataset": "circle", "networkShape": [4, 2], "activation": "tanh", "batchSize": 10,
                  "train_points": 250, "optimizer": "sgd", "learningRate": 0.03, "workers": args.workers},
        "targets": {"epochs_per_s": 60, "frames_per_s": 20, "page_ms_per_frame_for_the_size_bound": 50},
        "met_at_default_speed": default["epochs_per_s"] >= 60 * 0.98 and default["frames_per_s"] >= 20,
        "speeds": speeds, "sizes": sizes, "page_cost_fit": fit, "machine": machine(),
    })


if __name__ == "__main__":
    main()

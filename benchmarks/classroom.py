"""Classroom capacity: how many students one `chainrule playground` server serves, and how it scales with
worker processes.

Each simulated student is a WebSocket client that does what the page does at TF Playground's default
setup (circle, X1 X2, hidden [4, 2] tanh, batch 10, 250 training points, SGD 0.03, a different seed each):
press play at TF Playground's pace (one epoch per 1/60 s tick: 60 epochs/s at most) and acknowledge every
frame as soon as it arrives, as a page that draws instantly would (the page's own drawing costs the
student's machine, not the server). Over ``--seconds`` it counts, per student, epochs (on the server's
clock, from the frames) and frames. The server is started through the real command, with ``--workers N``;
the students run in this process, on the same machine, so they take some of its CPU too. The machine's
load average is recorded before and after each run: on a shared machine the numbers move with it.

    .venv/bin/python benchmarks/classroom.py [--workers 1 2] [--sessions 1 5 10 20 40] [--seconds 8]

Writes benchmarks/results/classroom.json.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import statistics
import time
import urllib.request
from pathlib import Path

import websockets
from playground_common import machine, start_playground, stop, write_results

HEAD = re.compile(r'^\{"type":"frame","frame":(\d+),"epoch":(\d+),.*?"t":([\d.]+)')
SETUP = {"dataset": "circle", "networkShape": [4, 2], "activation": "tanh", "batchSize": 10, "percTrainData": 50,
         "learningRate": 0.03, "speed": 1}


class Student:
    def __init__(self, seed: int, speed: int):
        self.seed, self.speed = seed, speed
        self.marks = []  # (wall time, frames received, epoch, server time)
        self.frames = 0
        self.last = None

    async def run(self, url: str, ready: asyncio.Event, stop: asyncio.Event):
        async with websockets.connect(url.replace("http", "ws", 1) + "ws", max_size=1 << 23, open_timeout=120) as ws:
            await ws.send(json.dumps({"type": "config", "config": {**SETUP, "speed": self.speed, "seed": self.seed}}))

            async def play():
                await ready.wait()
                await ws.send(json.dumps({"type": "play"}))
            starter = asyncio.create_task(play())
            while not stop.is_set():
                try:
                    raw = await asyncio.wait_for(ws.recv(), 0.5)
                except asyncio.TimeoutError:
                    continue
                m = HEAD.match(raw)
                if m:  # only the head of a frame is read: the students must not eat the server's CPU
                    frame, epoch, t = int(m.group(1)), int(m.group(2)), float(m.group(3))
                    self.frames += 1
                    self.last = (time.perf_counter(), self.frames, epoch, t)
                    await ws.send(f'{{"type":"ack","frame":{frame}}}')
            await starter

    def mark(self):
        self.marks.append(self.last)


def worker_cpu(url: str) -> float:
    """CPU seconds the workers' sessions have used so far (the server's /health)."""
    with urllib.request.urlopen(url + "health?workers=1", timeout=30) as r:
        return sum(sum(w.get("cpu", {}).values()) for w in json.loads(r.read())["workers"])


async def measure(url: str, sessions: int, seconds: float, speed: int) -> dict:
    students = [Student(seed=100 + i, speed=speed) for i in range(sessions)]
    ready, stop = asyncio.Event(), asyncio.Event()
    tasks = [asyncio.create_task(s.run(url, ready, stop)) for s in students]
    while not all(s.last for s in students):  # every tab has its network and its first frame
        for t in tasks:
            if t.done():
                t.result()  # a student that failed: say why
        await asyncio.sleep(0.1)
    ready.set()
    await asyncio.sleep(2.0)  # warm up
    for s in students:
        s.mark()
    cpu0 = await asyncio.to_thread(worker_cpu, url)
    await asyncio.sleep(seconds)
    for s in students:
        s.mark()
    cpu1 = await asyncio.to_thread(worker_cpu, url)
    stop.set()
    await asyncio.gather(*tasks)
    epochs_per_s, frames_per_s = [], []
    for s in students:
        (w0, f0, e0, t0), (w1, f1, e1, t1) = s.marks
        epochs_per_s.append((e1 - e0) / max(t1 - t0, 1e-9))
        frames_per_s.append((f1 - f0) / (w1 - w0))
    epochs = sum(b[2] - a[2] for a, b in (s.marks for s in students))
    return {"sessions": sessions, "epochs_per_s_median": round(statistics.median(epochs_per_s), 1),
            "worker_cpu_ms_per_epoch": round(1000 * (cpu1 - cpu0) / max(epochs, 1), 2),
            "epochs_per_s_min": round(min(epochs_per_s), 1),
            "frames_per_s_median": round(statistics.median(frames_per_s), 1),
            "frames_per_s_min": round(min(frames_per_s), 1),
            "epochs_per_s_total": round(sum(epochs_per_s), 1)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--sessions", type=int, nargs="+", default=[1, 5, 10, 20, 40])
    ap.add_argument("--seconds", type=float, default=8.0)
    ap.add_argument("--speed", type=int, default=1, help="epochs per tick (1 = TF Playground's pace, 0 = flat out)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "classroom.json"))
    args = ap.parse_args()
    runs = []
    for workers in args.workers:
        proc, url = start_playground("--workers", str(workers))
        try:
            for n in args.sessions:
                load0 = os.getloadavg()[0]
                r = asyncio.run(measure(url, n, args.seconds, args.speed))
                r.update(workers=workers, load_average_1m=[round(load0, 2), round(os.getloadavg()[0], 2)])
                runs.append(r)
                print(f"workers {workers}  sessions {n:3d}: {r['epochs_per_s_median']:6.1f} epochs/s per session "
                      f"(min {r['epochs_per_s_min']:.1f}), {r['frames_per_s_median']:5.1f} frames/s (min "
                      f"{r['frames_per_s_min']:.1f}), {r['epochs_per_s_total']:7.1f} epochs/s in all, "
                      f"{r['worker_cpu_ms_per_epoch']:.1f} ms CPU an epoch (with its frames)   load "
                      f"{r['load_average_1m']}", flush=True)
        finally:
            stop(proc)
    write_results(args.out, {
        "benchmark": "classroom capacity: simulated students at TF Playground's default setup",
        "setup": {**SETUP, "speed": args.speed, "train_points": 250, "seconds": args.seconds,
                  "student": "WebSocket client acknowledging every frame at once (an instant page)"},
        "runs": runs,
        "machine": {**machine(), "note": "students and server share the machine; other jobs ran on it too "
                                         "(see load_average_1m of each run)"},
    })


if __name__ == "__main__":
    main()

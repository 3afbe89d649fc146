"""The playground's training on the server, replayed steps against eager ones, in one process: epochs/s of a
session's ``train_epoch`` (what a worker runs between frames: every batch's step, TF Playground's
regularisation, the epoch's train and test losses), with ``playground.training.REPLAY`` on and off.

Setups: TF Playground's default (circle, 250 training points, X1 X2, hidden [4, 2] tanh, batch 10, SGD 0.03),
the same with batch 1 (250 steps an epoch), a deeper ReLU net with Adam and L2, and one with dropout and batch
norm. The two variants take turns round by round (the machine is shared and noisy: only the ratio in one run
means much); the median round is reported. No browser: benchmarks/playground.py measures the page.
Writes benchmarks/results/playground_replay.json.

    python benchmarks/playground_replay.py [--rounds 9] [--epochs 20]
"""

from __future__ import annotations

import statistics

from common import arguments, interleaved
from playground_common import machine, write_results

SETUPS = {
    "TF default (batch 10)": {},
    "TF default, batch 1": {"batchSize": 1},
    "6x8 relu, Adam, L2": {"networkShape": [8] * 6, "activation": "relu", "optimizer": "adam",
                           "learningRate": 0.003, "regularization": "L2", "regularizationRate": 0.001},
    "[8, 8] dropout + batch norm, momentum": {"networkShape": [8, 8], "dropout": [0.2, 0.2],
                                              "batchNorm": [True, True], "optimizer": "momentum"},
}


def main():
    args = arguments(__doc__, "playground_replay.json", "--epochs", 20, "epochs per variant per round")
    from chainrule.playground import training
    from chainrule.playground.session import Session

    def variant(config, replay):
        session = Session(emit=lambda msg: None)
        session.handle({"type": "config", "config": {"seed": 1, **config}})

        def run(n):
            training.REPLAY = replay
            for _ in range(n):
                session.train_epoch()
        run(2)  # the warm-up step and the capture
        return run

    results = {}
    for name, config in SETUPS.items():
        rates = interleaved({"eager": variant(config, False), "replay": variant(config, True)}, args.rounds,
                            args.epochs)
        med = {k: round(statistics.median(v), 1) for k, v in rates.items()}
        results[name] = {"epochs_per_s": med, "speedup": round(med["replay"] / med["eager"], 2)}
        print(f"{name:40s} eager {med['eager']:7.1f}  replay {med['replay']:7.1f} epochs/s  "
              f"x{results[name]['speedup']:.2f}", flush=True)
    write_results(args.out, {
        "benchmark": "playground server-side training, Session.train_epoch, replayed steps vs eager (in one process, "
                     "interleaved rounds, median)", "rounds": args.rounds, "epochs_per_round": args.epochs,
        "setups": {k: {"config": v, **results[k]} for k, v in SETUPS.items()}, "machine": machine()})


if __name__ == "__main__":
    main()

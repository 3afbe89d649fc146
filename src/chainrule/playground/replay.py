"""What happened to a run after its network was built, so that the exported script can replay it.

Every change reaches the session between two epochs (session.py makes commands wait for the epoch's end),
so "before epoch e" is exact. Replayed: learning rate, batch size, regularisation rate, momentum, β₁, β₂,
the RMSprop decay, Regenerate (its new seed) and hand-edited weights and biases. Everything else that
changes mid-run (switching the optimizer, the regularisation or the schedule, reshuffling, own points) is
listed as not replayed, and the script says so at its top. Changes made before the first epoch are simply
part of the starting setup.
"""

from __future__ import annotations

REPLAYED = ("learningRate", "batchSize", "regularizationRate", "momentum", "beta1", "beta2", "alpha")
IGNORED = ("speed",)  # how fast the page animates changes nothing in the run
# A setting that only some optimizers (or regularisations) read changes nothing under the others.
USED_BY = {"momentum": ("optimizer", ("momentum", "nesterov")), "beta1": ("optimizer", ("adam",)),
           "beta2": ("optimizer", ("adam",)), "alpha": ("optimizer", ("rmsprop",)),
           "regularizationRate": ("regularization", ("L1", "L2"))}


class Replay:
    def __init__(self):
        self.start({}, 0)

    def start(self, cfg: dict, resets: int):
        """A new network: its setup is the script's starting point."""
        self.start_cfg = dict(cfg)
        self.resets = resets
        self.events: list[tuple[int, tuple]] = []  # (epoch, ("learningRate", 0.1) | ("regenerate", seed) | ...)
        self.skipped: list[str] = []  # what the script does not replay, in words

    def config(self, epoch: int, changes: dict, cfg: dict):
        """Training settings changed: ``changes`` maps each key to (old, new); ``cfg`` is the setup after."""
        for key, (old, new) in changes.items():
            if key in IGNORED:
                continue
            if key in USED_BY and epoch > 0 and cfg[USED_BY[key][0]] not in USED_BY[key][1]:
                self.start_cfg[key] = new  # unused now; if a later switch makes it count, that is not replayed
                continue
            if epoch == 0:  # nothing trained yet: part of the setup
                self.start_cfg[key] = new
            elif key in REPLAYED:
                self.events.append((epoch, (key, new)))
            else:
                self.skipped.append(f"before epoch {epoch}: {key} changed from {old} to {new}")

    def regenerate(self, epoch: int, seed: int):
        self.events.append((epoch, ("regenerate", seed)))

    def edit(self, epoch: int, kind: str, layer: int, row: int, col: int, value: float):
        self.events.append((epoch, (kind, layer, row, col, value)))

    def not_replayed(self, epoch: int, what: str):
        if epoch > 0 or self.events:
            self.skipped.append(f"before epoch {epoch}: {what}")

    def changes(self) -> dict:
        """{epoch: [change, ...]} in the order they happened."""
        out: dict[int, list] = {}
        for epoch, change in self.events:
            out.setdefault(epoch, []).append(change)
        return out

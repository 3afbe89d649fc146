"""What a sweep prints: a line per trial, the best point so far (by its mean over seeds), a live bar on
a terminal."""

import io

from chainrule.sweeps.progress import Progress
from chainrule.sweeps.spec import make_spec


class Terminal(io.StringIO):
    def isatty(self):
        return True


def trial(point, seed, lr):
    return {"key": f"p{point:03d}-s{seed}", "point": point, "seed": seed, "params": {"lr": lr}}


def test_best_so_far_waits_for_a_points_seeds_and_a_terminal_gets_a_bar():
    spec = make_spec({"epochs": 1}, {"lr": [0.01, 0.1]}, seeds=2)
    out = io.StringIO()
    p = Progress(spec, 4, out)
    p.trial(trial(0, 0, 0.01), "finished", 0.80, 1.0, "w1")
    p.trial(trial(0, 1, 0.01), "finished", 0.90, 1.0, "w2")
    p.trial(trial(1, 0, 0.1), "finished", 0.95, 1.0, "w1")  # one lucky seed does not lead yet
    assert "best so far: val_accuracy 0.8500 ± 0.0707 (2 seeds) at lr=0.01" in out.getvalue().splitlines()[-2]
    p.trial(trial(1, 1, 0.1), "failed", None, 0.5, "w2", error="DivergenceError: loss is nan")
    p.finish()
    text = out.getvalue()
    assert "[4/4] lr=0.1 seed=1  FAILED: DivergenceError: loss is nan  (0.5 s, w2)" in text
    assert "best so far: val_accuracy 0.9500 (1 seed) at lr=0.1" in text  # its seeds are all back now
    assert "4/4 trials done, 1 failed in" in text and "\x1b[K" not in text

    tty = Terminal()
    p = Progress(spec, 4, tty)
    p.trial(trial(0, 0, 0.01), "finished", 0.80, 1.0, "w1")
    assert tty.getvalue().endswith("█████··············· 1/4  best so far: val_accuracy 0.8000 (1 seed) at "
                                   "lr=0.01")
    p.finish()
    assert "\r\x1b[K" in tty.getvalue()

"""Train and eval mode: batch norm and dropout behave differently in each, and the wrong one is silent.

In training mode batch norm normalises with each batch's own mean and variance and updates its running
averages; in eval mode it uses those running averages (mean 0, variance 1 until trained) and leaves them
alone. Dropout zeroes units (and scales the rest by 1/(1 − p)) in training mode only. So

* a model left in **eval mode while it trains** (``model.eval()`` for a validation pass, and no
  ``model.train()`` after it) never updates its batch-norm statistics and gets no dropout;
* a model in **training mode at evaluation** normalises the test batch by its own statistics (the
  prediction for one example depends on the others in its batch), overwrites the running averages with test
  data, and drops units at test time.

``eval_mode_modules(model)`` lists the modules in eval mode now (``diagnose`` trains the model as it is, so
those are in eval mode during its training steps). ``watch_modes(model)`` records, while your own loop runs,
every forward pass through such a module and whether a backward pass went through it (a training step) or
not (an evaluation), and turns what it saw into findings.
"""

from __future__ import annotations

import chainrule as cr


def kind_of(module) -> str | None:
    """"batchnorm", "dropout" or None: the modules whose behaviour depends on train/eval mode."""
    if hasattr(module, "running_mean") and getattr(module, "track_running_stats", False):
        return "batchnorm"
    if "Dropout" in type(module).__name__ and float(getattr(module, "p", 0.0) or 0.0) > 0:
        return "dropout"
    return None


def _detail(module, kind):
    return f"{type(module).__name__}, p = {module.p:g}" if kind == "dropout" else type(module).__name__


def eval_mode_modules(model) -> list:
    """(name, kind, detail) of every batch-norm or dropout module of ``model`` that is in eval mode."""
    out = []
    for name, m in model.named_modules():
        kind = kind_of(m)
        if kind is not None and not m.training:
            out.append((name, kind, _detail(m, kind)))
    return out


WHY_EVAL = {"batchnorm": "normalises with its running statistics instead of the batch's and never updates them",
            "dropout": "drops nothing, so it does not regularise"}
WHY_TRAIN = {"batchnorm": "normalised each evaluation batch by its own statistics (a prediction then depends on "
                          "the rest of its batch) and overwrote its running statistics with evaluation data",
             "dropout": "dropped units at evaluation, so the predictions were noisy and too weak"}


def mode_problems(modes, steps: int = 0):
    """Findings (severity, code, layer, message, value, threshold) for modules in eval mode while the doctor
    trains the model (``steps`` probe steps; the value is how many it took in that mode)."""
    during = f"during the doctor's {steps} training steps" if steps else "while the doctor diagnoses training"
    return [("warning", "eval_mode_in_training", name, f"module {name} ({detail}) is in eval mode {during}: it "
             f"{WHY_EVAL[kind]}", steps, "batch norm and dropout in training mode while the model trains")
            for name, kind, detail in modes]


class watch_modes:
    """Context manager: watch the train/eval mode of every batch-norm and dropout module while code runs.

        with doctor.watch_modes(model) as watch:
            train_one_epoch(model, ...)       # forward, backward, step
            evaluate(model, ...)              # forward only
        print(watch.findings())               # e.g. [WARNING] train_mode_at_evaluation: module 1 ...

    A forward pass that a backward pass later goes through is a training step; one that none goes through
    (``no_grad``, or no ``backward``) is an evaluation."""

    def __init__(self, model):
        self.model = model
        self.calls = []  # [name, kind, detail, training, backward seen]
        self._handles = []

    def __enter__(self):
        for name, m in self.model.named_modules():
            kind = kind_of(m)
            if kind is not None:
                self._handles.append(m.register_forward_hook(self._hook(name, kind, _detail(m, kind))))
        return self

    def __exit__(self, *exc):
        for h in self._handles:
            h.remove()
        self._handles = []
        return False

    def _hook(self, name, kind, detail):
        def hook(module, args, out):
            call = [name, kind, detail, module.training, False]
            self.calls.append(call)
            if isinstance(out, cr.Tensor) and out.requires_grad:
                out.register_hook(lambda g: call.__setitem__(4, True))
        return hook

    def findings(self) -> list:
        """What was seen, as ``doctor.Finding``s: eval mode in training steps, training mode at evaluation."""
        from .findings import FIXES, Finding

        seen = {}
        for name, kind, detail, training, backward in self.calls:
            key = (name, kind, detail, "eval_mode_in_training" if backward and not training
                   else "train_mode_at_evaluation" if training and not backward else None)
            seen[key] = seen.get(key, 0) + 1
        out = []
        for (name, kind, detail, code), n in seen.items():
            if code == "eval_mode_in_training":
                message = (f"module {name} ({detail}) was in eval mode in {n} training step(s) (a backward pass "
                           f"went through it): it {WHY_EVAL[kind]}")
                threshold = "batch norm and dropout in training mode while the model trains"
            elif code == "train_mode_at_evaluation":
                message = (f"module {name} ({detail}) was in training mode in {n} forward pass(es) that no "
                           f"backward pass followed (evaluation): it {WHY_TRAIN[kind]}")
                threshold = "batch norm and dropout in eval mode when the model is evaluated"
            else:
                continue
            out.append(Finding("warning", code, name, message, FIXES[code], value=n, threshold=threshold))
        return out


__all__ = ["eval_mode_modules", "mode_problems", "watch_modes", "kind_of"]

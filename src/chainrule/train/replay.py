"""The training step, captured and replayed (``chainrule.graph``) when the batches allow it: fit's, the
playground's and the labs' (one implementation; they call ``forward_backward`` and ``step``, or both at once).

Two captured regions per step, so that fit's Python-side work still happens between them exactly as in the
eager loop: (1) zero_grad, forward, loss and backward; then the loss value is read and the
``on_after_backward`` callbacks run (they may read or change the gradients in place: gradient clipping,
the NaN guard that stops before a bad step); then (2) the optimizer step. A replay gives the eager step's
numbers bit for bit, so fit's history and weights are the same either way.

A batch whose shapes or dtypes differ from the captured one (the last, smaller batch of an epoch) runs
eagerly; a changed learning rate recaptures the optimizer step; anything that cannot be captured or
replayed (data-dependent control flow in a custom model, a per-step scheduler) makes fit fall back to the
eager loop for good.
"""

from __future__ import annotations

from .. import no_grad
from ..engine import CaptureError, Graph, Tensor, graph


def replayable(model, loss_fn, optimizer=None) -> bool:
    """Whether a step of ``model`` and ``loss_fn`` is safe to replay without asking: every module is one of
    chainrule's own layers with no hooks, the loss is chainrule's (a module or a function) and so is the
    optimizer's class, if given (a custom update rule may keep Python-side state, a step count, that a replay
    would leave as it was at capture)."""
    def ours(obj, package="chainrule.nn"):
        return type(obj).__module__.startswith(package) or getattr(obj, "__module__", "").startswith(package)

    modules = list(model.modules()) if hasattr(model, "modules") else [model]
    return (all(ours(m) and not getattr(m, "_hooks_on", False) for m in modules) and ours(loss_fn)
            and (optimizer is None or ours(optimizer, "chainrule.optim")))


class ReplayedStep:
    """``forward_backward(x, y)`` then ``step()``, or both at once: ``stepper(x, y)``. ``disabled = True`` makes
    every step eager; ``replays`` counts the steps whose forward and backward were replayed (their capture's
    first run included)."""

    def __init__(self, model, loss_fn, optimizer, disabled=False):
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.disabled = disabled
        self.replays = 0
        self._forward = self._step = None
        self._warm = self._replayed = False

    def __call__(self, x, y):
        """One whole training step: zero_grad, forward, loss, backward, optimizer step; returns (output, loss)."""
        out, loss = self.forward_backward(x, y)
        self.step()
        return out, loss

    def _signature(self, x, y):
        return tuple((tuple(t.shape), t.dtype) if isinstance(t, Tensor) else None for t in (x, y))

    def _params(self):
        return [p for g in self.optimizer.param_groups for p in g["params"]]

    def forward_backward(self, x, y):
        """zero_grad, forward, loss, backward; returns (output, loss). Replayed when it can be."""
        self._replayed = False
        if self.disabled or not self._warm or not (isinstance(x, Tensor) and isinstance(y, Tensor)):
            return self._eager(x, y)  # the first step eagerly: it creates the optimizer's state (torch's warm-up)
        if self._forward is None:
            return self._capture(x, y)
        if self._signature(x, y) != self._sig:  # a batch of another shape: eager, keeping the captured graph
            return self._eager(x, y)
        with no_grad():
            self._x.copy_(x)
            self._y.copy_(y)
        try:
            self._forward.replay()
        except CaptureError:
            self.disabled = True
            return self._eager(x, y)
        for p, g in zip(self._params(), self._grads):  # the captured gradients, where the step reads them
            p.grad = g
        self._replayed = True
        self.replays += 1
        return self._out, self._loss

    def _eager(self, x, y):
        out = self.model(x)
        loss = self.loss_fn(out, y)
        self.optimizer.zero_grad()
        loss.backward()
        return out, loss

    def _capture(self, x, y):
        self._x, self._y = x.detach().clone(), y.detach().clone()
        g = Graph()
        try:
            with graph(g):
                self.optimizer.zero_grad()
                out = self.model(self._x)
                loss = self.loss_fn(out, self._y)
                loss.backward()
        except CaptureError:
            self.disabled = True
            return self._eager(x, y)
        self._forward, self._sig, self._out, self._loss = g, self._signature(x, y), out, loss
        self._grads = [p.grad for p in self._params()]
        g.replay()  # capturing takes no step: now the real one
        self._replayed = True
        self.replays += 1
        return out, loss

    def step(self):
        """The optimizer step: replayed after a replayed forward, eager otherwise."""
        if not self._replayed:
            self.optimizer.step()
            self._warm = True
            return
        if self._step is not None:
            try:
                self._step.replay()
                return
            except CaptureError:  # a changed learning rate: capture the step again
                self._step = None
        g = Graph()
        try:
            with graph(g):
                self.optimizer.step()
        except CaptureError:
            self.disabled = True
            self.optimizer.step()
            return
        self._step = g
        g.replay()

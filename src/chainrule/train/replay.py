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


class _Captured:
    """One captured step for one batch signature: its static inputs, the forward-backward graph with its output,
    loss and gradient buffers, and (after its first step) the optimizer step's graph."""

    __slots__ = ("x", "y", "forward", "out", "loss", "grads", "step")


class ReplayedStep:
    """``forward_backward(x, y)`` then ``step()``, or both at once: ``stepper(x, y)``. ``disabled = True`` makes
    every step eager; ``replays`` counts the steps whose forward and backward were replayed (their capture's
    first run included).

    One capture per batch signature (shapes, dtypes and array types of x and y), at most ``MAX_SHAPES`` of them:
    an epoch's last, smaller batch gets its own after it has been seen twice. Parameters whose arrays were
    replaced (``p.data = ...``, a resized LazyLinear) make every capture go: the next batch captures again."""

    MAX_SHAPES = 4

    def __init__(self, model, loss_fn, optimizer, disabled=False):
        self.model, self.loss_fn, self.optimizer = model, loss_fn, optimizer
        self.disabled = disabled
        self.replays = 0
        self._captures = {}  # signature -> _Captured
        self._seen = {}  # signature -> eager steps taken with it (a shape seen once is not worth a capture)
        self._arrays = None  # the parameters' arrays the captures were made on
        self._current = None  # the _Captured whose forward ran last (None: that step was eager)
        self._warm = False

    def __call__(self, x, y):
        """One whole training step: zero_grad, forward, loss, backward, optimizer step; returns (output, loss)."""
        out, loss = self.forward_backward(x, y)
        self.step()
        return out, loss

    def _params(self):
        return [p for g in self.optimizer.param_groups for p in g["params"]]

    def forward_backward(self, x, y):
        """zero_grad, forward, loss, backward; returns (output, loss). Replayed when it can be."""
        self._current = None
        if self.disabled or type(x) is not Tensor or type(y) is not Tensor:
            return self._eager(x, y)
        xa, ya = x._array, y._array
        sig = (xa.shape, xa.dtype, type(xa), ya.shape, ya.dtype, type(ya))
        cap = self._captures.get(sig)
        params = self._params()
        if cap is not None and not all(p._array is a for p, a in zip(params, self._arrays)):
            self._captures, cap = {}, None  # a parameter got a new array: the captures read the old ones
        if cap is None:
            seen = self._seen[sig] = self._seen.get(sig, 0) + 1
            if not self._warm or seen < 2 or len(self._captures) >= self.MAX_SHAPES:
                return self._eager(x, y)  # the first step eagerly: it makes the optimizer's state (torch's warm-up)
            return self._capture(x, y, sig, params)
        cap.x._array[...] = xa  # into the static inputs (same shape and dtype: the signature says so)
        cap.y._array[...] = ya
        try:
            cap.forward.replay()
        except CaptureError:
            self.disabled = True
            return self._eager(x, y)
        for p, g in zip(params, cap.grads):  # the captured gradients, where the step reads them
            p.grad = g
        self._current = cap
        self.replays += 1
        return cap.out, cap.loss

    def _eager(self, x, y):
        out = self.model(x)
        loss = self.loss_fn(out, y)
        self.optimizer.zero_grad()
        loss.backward()
        return out, loss

    def _capture(self, x, y, sig, params):
        cap = _Captured()
        cap.x, cap.y, cap.step = x.detach().clone(), y.detach().clone(), None
        g = Graph()
        try:
            with graph(g):
                self.optimizer.zero_grad()
                cap.out = self.model(cap.x)
                cap.loss = self.loss_fn(cap.out, cap.y)
                cap.loss.backward()
        except CaptureError:
            self.disabled = True
            return self._eager(x, y)
        cap.forward, cap.grads = g, [p.grad for p in params]
        if not self._captures:
            self._arrays = [p._array for p in params]
        self._captures[sig] = cap
        g.replay()  # capturing takes no step: now the real one
        self._current = cap
        self.replays += 1
        return cap.out, cap.loss

    def step(self):
        """The optimizer step: replayed after a replayed forward, eager otherwise."""
        cap = self._current
        if cap is None:
            self.optimizer.step()
            self._warm = True
            return
        if cap.step is not None:
            try:
                cap.step.replay()
                return
            except CaptureError:  # a changed learning rate: capture the step again
                cap.step = None
        g = Graph()
        try:
            with graph(g):
                self.optimizer.step()
        except CaptureError:
            self.disabled = True
            self.optimizer.step()
            return
        cap.step = g
        g.replay()

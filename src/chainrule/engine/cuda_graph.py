"""``chainrule.cuda.CUDAGraph``: a training step captured with CUDA stream capture (through CuPy) and replayed
by one graph launch, PyTorch's API and rules:

    g = chainrule.cuda.CUDAGraph()
    with chainrule.cuda.graph(g):      # nothing runs: the GPU records the kernels
        loss = loss_fn(model(static_x), static_y); loss.backward(); optimizer.step()
    static_x.copy_(x); static_y.copy_(y); g.replay()

During capture the kernels are recorded, not run (values stay as they were); memory comes from a pool private
to the graph (``g.pool()``), kept for its replays; random draws use the GPU's generator, whose state lives on
the device, so every replay draws anew. What may not change between replays is what engine/capture.py lists
(shapes, tensors, Python control flow, hyperparameters: a changed learning rate is refused, not replayed).
A capture cannot read values back to Python (``.item()``, ``float(x)``): CuPy raises, and the capture
says so. Optimizers compute their step-dependent rates on the device while capturing.
"""

from __future__ import annotations

from . import backend as B
from .capture import CaptureError, Graph


class CUDAGraph(Graph):
    """torch.cuda.CUDAGraph: ``capture_begin``/``capture_end`` (or ``with chainrule.cuda.graph(g)``),
    ``replay()``, ``pool()``, ``reset()``."""

    def __init__(self):
        super().__init__()
        self._pool = self._stream = self._allocator = self._graph = None

    def capture_begin(self, pool=None, capture_error_mode=None):
        if self._captured:
            raise CaptureError("this CUDAGraph is already captured; make a new one (or call reset())")
        if B.CAPTURE.graph is not None:
            raise CaptureError("a capture is already running on this thread (captures do not nest)")
        cp = B._cuda()
        cp.cuda.Stream.null.synchronize()  # work queued before the capture must not end up in it
        self._pool = pool if pool is not None else cp.cuda.MemoryPool()
        self._allocator = cp.cuda.using_allocator(self._pool.malloc)
        self._allocator.__enter__()
        self._stream = cp.cuda.Stream(non_blocking=True)
        self._stream.__enter__()
        self._stream.begin_capture()
        B.CAPTURE.graph = self

    def capture_end(self):
        if B.CAPTURE.graph is not self:
            raise CaptureError("capture_end() without capture_begin() on this thread")
        B.CAPTURE.graph = None
        try:
            self._graph = self._stream.end_capture()
        finally:
            self._stream.__exit__(None, None, None)
            self._allocator.__exit__(None, None, None)
        self._captured = True

    def _abort(self):
        try:
            self.capture_end()
        finally:
            self._captured, self._graph = False, None

    _context = "chainrule.cuda.graph"

    def _launch(self):
        """Launch the captured kernels again (asynchronously, as torch: synchronize before timing)."""
        self._graph.launch(stream=self._stream)

    def pool(self):
        """The graph's private memory pool (pass it to another capture to share memory, as torch's)."""
        return self._pool

    # the CPU capture's hooks have nothing to do here: the GPU records the kernels themselves
    def call(self, fn, arrays, args=()):
        fn(*arrays, *args)

    def created(self, array, fill):
        return array

    def external(self, array):
        return array

    def wrap_rng(self, rng, again):
        return rng

"""``chainrule.utils.tensorboard.SummaryWriter``: TensorBoard logs with torch.utils.tensorboard's names.

    from chainrule.utils.tensorboard import SummaryWriter
    with SummaryWriter("runs/exp1") as w:
        for step in range(100):
            w.add_scalar("loss", loss, step)
        w.add_histogram("fc.weight", model.fc.weight, step)
    # then: tensorboard --logdir runs

What is written: TensorBoard's event files, ``events.out.tfevents.<time>.<host>...`` in ``log_dir``: a
TFRecord stream of ``Event`` protocol buffers (wall time, step, and a ``Summary`` of tagged values), written
by the ``tensorboard`` package's own ``EventFileWriter`` (in a background thread, flushed every
``flush_secs`` and on ``flush``/``close``). The summaries are the ones TensorBoard's dashboards read:
scalars (``simple_value``), histograms (``HistogramProto``), text and figures (the text and image
plugins), hyperparameters (the hparams plugin's experiment and session records) and the graph
(a ``GraphDef``, built from the backprop explainer's recorded graph: see ``_tb_graph.py``).

Tensors may be chainrule Tensors, NumPy arrays or Python numbers. Needs ``tensorboard``
(``pip install 'chainrule[tensorboard]'``); ``fit(..., callbacks=[TensorBoard(log_dir)])`` and
``chainrule train --tensorboard`` use this writer.
"""

from __future__ import annotations

import io
import json
import os
import socket
import time
from datetime import datetime

import numpy as np

from .. import _optional as optional

__all__ = ["SummaryWriter"]


def _tb():
    what = "chainrule's SummaryWriter"
    writer = optional.require("tensorboard.summary.writer.event_file_writer", what)
    event_pb2 = optional.require("tensorboard.compat.proto.event_pb2", what)
    summary_pb2 = optional.require("tensorboard.compat.proto.summary_pb2", what)
    return event_pb2, summary_pb2, writer.EventFileWriter


def _array(values, who):
    if hasattr(values, "detach") and hasattr(values, "numpy"):
        values = values.detach().numpy()
    a = np.asarray(values)
    if a.dtype.kind not in "biuf":
        raise TypeError(f"{who}: expected numbers (a Tensor, a NumPy array or a number), got {a.dtype} values")
    return a


def _scalar(value, who):
    a = _array(value, who)
    if a.size != 1:
        raise ValueError(f"{who}: a scalar needs exactly one value, got shape {a.shape}")
    return float(a.reshape(-1)[0])


def _tf_bins():
    """TensorFlow's default histogram edges: ±1e-12·1.1^k up to 1e20, and 0."""
    pos, v = [], 1e-12
    while v < 1e20:
        pos.append(v)
        v *= 1.1
    return np.array([-x for x in reversed(pos)] + [0.0] + pos + [np.inf])


class SummaryWriter:
    """Writes event files into ``log_dir`` for TensorBoard (default ``runs/<date>_<host><comment>``, as
    torch). ``purge_step``: a resumed run's first step (TensorBoard hides the events of a crashed run from
    that step on). ``max_queue``/``flush_secs``: how many events, or how long, before writing to disk."""

    def __init__(self, log_dir=None, comment="", purge_step=None, max_queue=10, flush_secs=120, filename_suffix=""):
        self._event_pb2, self._summary_pb2, self._EventFileWriter = _tb()
        if log_dir is None:
            log_dir = os.path.join("runs", datetime.now().strftime("%b%d_%H-%M-%S") + "_" + socket.gethostname()
                                   + comment)
        self.log_dir = os.fspath(log_dir)
        self._max_queue, self._flush_secs, self._suffix = max_queue, flush_secs, filename_suffix
        self._writers = {}
        w = self._writer()
        if purge_step is not None:
            e = self._event_pb2
            w.add_event(e.Event(step=int(purge_step), wall_time=time.time(),
                                session_log=e.SessionLog(status=e.SessionLog.START)))

    def _writer(self, sub=""):
        path = os.path.normpath(os.path.join(self.log_dir, sub))
        if path not in self._writers:
            self._writers[path] = self._EventFileWriter(path, self._max_queue, self._flush_secs, self._suffix)
        return self._writers[path]

    def get_logdir(self):
        return self.log_dir

    def _add(self, values, global_step, walltime, sub=""):
        summary = self._summary_pb2.Summary(value=values)
        event = self._event_pb2.Event(summary=summary, wall_time=time.time() if walltime is None else walltime)
        if global_step is not None:
            event.step = int(global_step)
        self._writer(sub).add_event(event)

    # ------------------------------------------------------------------------------------ scalars
    def add_scalar(self, tag, scalar_value, global_step=None, walltime=None, new_style=False,
                   double_precision=False):
        """One point of the curve ``tag`` at ``global_step``."""
        v = self._summary_pb2.Summary.Value(tag=tag, simple_value=_scalar(scalar_value, f"add_scalar({tag!r})"))
        self._add([v], global_step, walltime)

    def add_scalars(self, main_tag, tag_scalar_dict, global_step=None, walltime=None):
        """Several curves on one chart: each goes to the run ``log_dir/<main_tag>_<tag>`` under the tag
        ``main_tag`` (torch's layout)."""
        for tag, value in tag_scalar_dict.items():
            sub = f"{main_tag}_{tag}".replace("/", "_")
            v = self._summary_pb2.Summary.Value(tag=main_tag, simple_value=_scalar(value, f"add_scalars({tag!r})"))
            self._add([v], global_step, walltime, sub)

    # ---------------------------------------------------------------------------------- histograms
    def add_histogram(self, tag, values, global_step=None, bins="tensorflow", walltime=None, max_bins=None):
        """The distribution of ``values`` (any shape). ``bins``: ``"tensorflow"`` (TensorFlow's
        exponential buckets, torch's default), an int or a NumPy rule (``"auto"``, ``"fd"``, ...)."""
        who = f"add_histogram({tag!r})"
        a = _array(values, who).astype(np.float64).reshape(-1)
        if a.size == 0:
            raise ValueError(f"{who}: there are no values to make a histogram of")
        bad = int((~np.isfinite(a)).sum())
        if bad:
            raise ValueError(f"{who}: {bad} of {a.size} values are NaN or infinite; a histogram needs finite values")
        counts, edges = np.histogram(a, bins=_tf_bins() if bins == "tensorflow" else bins)
        if max_bins is not None and len(counts) > max_bins:
            counts, edges = np.histogram(a, bins=int(max_bins))
        used = np.flatnonzero(counts)
        lo, hi = used[0], used[-1] + 1  # TensorBoard draws from the first to the last non-empty bucket
        limits = np.minimum(edges[lo + 1:hi + 1], np.finfo(np.float64).max)
        hist = self._summary_pb2.HistogramProto(min=a.min(), max=a.max(), num=a.size, sum=a.sum(),
                                                sum_squares=float(a @ a), bucket_limit=limits.tolist(),
                                                bucket=counts[lo:hi].astype(np.float64).tolist())
        self._add([self._summary_pb2.Summary.Value(tag=tag, histo=hist)], global_step, walltime)

    # ------------------------------------------------------------------------------- text, figures
    def add_text(self, tag, text_string, global_step=None, walltime=None):
        """Markdown text (the Text dashboard)."""
        from tensorboard.compat.proto import tensor_pb2, tensor_shape_pb2, types_pb2
        from tensorboard.plugins.text import metadata

        tensor = tensor_pb2.TensorProto(dtype=types_pb2.DT_STRING, string_val=[str(text_string).encode("utf-8")],
                                        tensor_shape=tensor_shape_pb2.TensorShapeProto(
                                            dim=[tensor_shape_pb2.TensorShapeProto.Dim(size=1)]))
        v = self._summary_pb2.Summary.Value(tag=f"{tag}/text_summary", tensor=tensor,
                                            metadata=metadata.create_summary_metadata(display_name="", description=""))
        self._add([v], global_step, walltime)

    def add_figure(self, tag, figure, global_step=None, close=True, walltime=None):
        """A matplotlib figure (or a list of them, as tag/0, tag/1, ...) as a PNG image. ``close`` closes
        it afterwards (with pyplot, when the figure came from pyplot)."""
        if isinstance(figure, (list, tuple)):
            for i, f in enumerate(figure):
                self.add_figure(f"{tag}/{i}", f, global_step, close, walltime)
            return
        buf = io.BytesIO()
        figure.savefig(buf, format="png")
        png = buf.getvalue()
        width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")  # the IHDR chunk
        image = self._summary_pb2.Summary.Image(height=height, width=width, colorspace=4, encoded_image_string=png)
        self._add([self._summary_pb2.Summary.Value(tag=tag, image=image)], global_step, walltime)
        import sys

        if close and "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close(figure)

    # --------------------------------------------------------------------------------- hparams
    def add_hparams(self, hparam_dict, metric_dict, hparam_domain_discrete=None, run_name=None, global_step=None):
        """One trial for the HParams dashboard: its hyperparameters (numbers, strings, bools) and final
        metrics, written to the run ``log_dir/<run_name>`` (default: the current time; ``"."``: log_dir
        itself), as torch does."""
        if not isinstance(metric_dict, dict):
            raise TypeError(f"add_hparams: metric_dict must be a dict, got {type(metric_dict).__name__}")
        sub = run_name or str(time.time())
        self._add(_hparams_summaries(self._summary_pb2, hparam_dict, list(metric_dict), hparam_domain_discrete),
                  global_step, None, sub)
        for k, v in metric_dict.items():
            self._add([self._summary_pb2.Summary.Value(tag=k, simple_value=_scalar(v, f"add_hparams({k!r})"))],
                      global_step, None, sub)

    # ------------------------------------------------------------------------------------ graph
    def add_graph(self, model, input_to_model=None, verbose=False, use_strict_trace=True):
        """The model's computational graph (the Graphs dashboard), as the backprop explainer records it: the
        engine's operations grouped by module, parameters named by their state_dict keys. The forward runs
        once on ``input_to_model`` (a Tensor or a tuple) in evaluation mode; nothing in the model changes."""
        from ._tb_graph import graph_def

        if input_to_model is None:
            raise ValueError("add_graph needs input_to_model: an example input (a batch of one is enough)")
        gd = graph_def(model, input_to_model)
        if verbose:
            print(gd)
        self._writer().add_event(self._event_pb2.Event(graph_def=gd.SerializeToString(), wall_time=time.time()))

    # ------------------------------------------------------------------------------------ files
    def flush(self):
        """Write everything queued to disk."""
        for w in self._writers.values():
            w.flush()

    def close(self):
        """Flush and close the event files (the writer cannot be used afterwards)."""
        for w in self._writers.values():
            w.flush()
            w.close()
        self._writers = {}

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        self.close()


def _hparams_summaries(summary_pb2, hparam_dict, metrics, domain_discrete=None):
    """The hparams plugin's three records (experiment, session start, session end) as Summary values;
    ``metrics``: the tags of the scalars that hold the trial's metrics (in the same run)."""
    from google.protobuf import struct_pb2
    from tensorboard.plugins.hparams import api_pb2, metadata, plugin_data_pb2

    if not isinstance(hparam_dict, dict):
        raise TypeError(f"add_hparams: hparam_dict must be a dict, got {type(hparam_dict).__name__}")
    domain_discrete = domain_discrete or {}
    infos, values = [], {}
    for k, v in hparam_dict.items():
        if isinstance(v, bool):
            values[k], kind = struct_pb2.Value(bool_value=v), api_pb2.DATA_TYPE_BOOL
        elif isinstance(v, (int, float, np.number)):
            values[k], kind = struct_pb2.Value(number_value=float(v)), api_pb2.DATA_TYPE_FLOAT64
        elif isinstance(v, str):
            values[k], kind = struct_pb2.Value(string_value=v), api_pb2.DATA_TYPE_STRING
        elif v is None or isinstance(v, (list, tuple)):
            values[k], kind = struct_pb2.Value(string_value=json.dumps(v)), api_pb2.DATA_TYPE_STRING
        else:
            raise TypeError(f"add_hparams: {k!r} is a {type(v).__name__}; hyperparameters are numbers, strings, "
                            "bools (lists and None are written as text)")
        info = api_pb2.HParamInfo(name=k, type=kind)
        if k in domain_discrete:
            info.domain_discrete.extend([struct_pb2.Value(**{_field(x): x}) for x in domain_discrete[k]])
        infos.append(info)
    experiment = api_pb2.Experiment(hparam_infos=infos, metric_infos=[
        api_pb2.MetricInfo(name=api_pb2.MetricName(tag=t)) for t in metrics])
    start = plugin_data_pb2.SessionStartInfo(hparams=values, start_time_secs=time.time())
    end = plugin_data_pb2.SessionEndInfo(status=api_pb2.STATUS_SUCCESS, end_time_secs=time.time())
    records = [(metadata.EXPERIMENT_TAG, plugin_data_pb2.HParamsPluginData(experiment=experiment)),
               (metadata.SESSION_START_INFO_TAG, plugin_data_pb2.HParamsPluginData(session_start_info=start)),
               (metadata.SESSION_END_INFO_TAG, plugin_data_pb2.HParamsPluginData(session_end_info=end))]
    return [summary_pb2.Summary.Value(tag=tag, metadata=metadata.create_summary_metadata(data),
                                      tensor=metadata.NULL_TENSOR) for tag, data in records]


def _field(x):
    return "bool_value" if isinstance(x, bool) else "number_value" if isinstance(x, (int, float)) else "string_value"

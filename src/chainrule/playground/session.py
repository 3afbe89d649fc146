"""One browser tab's playground: its data, network, optimizer and training, driven in time slices.

A Session starts no thread. Whoever hosts it calls ``run(deadline)``: a worker's fair scheduler (worker.py)
gives each of its sessions short slices, and tests call ``handle(msg)`` and ``train_epoch()`` directly.
Training is resumable batch by batch (training.py), so one tab's huge epoch cannot hold a core for long.

Commands that change what training does (a new learning rate, Regenerate, an edited weight, own points, an
export) wait for the end of the epoch in progress: they happen between epochs, where the exported script
replays them (replay.py). Commands that draw new weights (Reset, a new network or data) abandon the epoch;
play, pause, acknowledgements and view changes act at once.
"""

from __future__ import annotations

import collections
import secrets
import time

import numpy as np

import chainrule as cr

from . import model as M
from . import presets
from .protocol import (
    CONFIG_SPEC,
    MAX_CLASSES,
    MAX_CSV_CHARS,
    MAX_LAYERS,
    MAX_NEURONS,
    MAX_POINTS,
    ProtocolError,
    default_config,
    parse_csv,
    schema,
)
from .replay import Replay
from .slices import Slices
from .training import Training

MAX_QUEUED = 2000  # commands waiting in one session; beyond this the client is told to slow down
_PREVIEWS = None


def previews():
    """200 noise-free points of every built-in dataset, for the dataset picker (computed once)."""
    global _PREVIEWS
    if _PREVIEWS is None:
        out = {}
        for problem, names in (("classification", M.CLASSIFICATION_SETS), ("regression", M.REGRESSION_SETS),
                               ("multiclass", M.MULTICLASS_SETS)):
            for name in names:
                cfg = default_config() | {"problem": problem, "dataset": name, "regDataset": name,
                                          "mcDataset": name, "seed": 0}
                X, y = M.generate(cfg, n_samples=200, noise=0.0)
                out[name] = np.round(np.column_stack([X, y]), 2).tolist()
        _PREVIEWS = out
    return _PREVIEWS


class Session(Slices, Training):
    def __init__(self, emit, config: dict | None = None, sid: str | None = None):
        self.id = sid or secrets.token_hex(8)
        self.emit_msg = emit  # called with each server → client message (a JSON-ready dict)
        self.cfg = default_config() | (config or {})
        self.inbox: collections.deque = collections.deque()
        self.closed = False
        self.built = False
        self.playing = False
        self.diverged = False
        self.custom = {}  # problem -> (train points, test points) of own data
        self.focus = None
        self.frame_no = 0
        self._acked = True
        self._dirty = False
        self._last_frame = -1.0
        self._last_panels, self._panel_frame = -1.0, -99
        self.resets = 0
        self.pending_steps = 0
        self._credit, self._credit_t = 0.0, 0.0
        self._frame_budget = 0.0
        self.replay = Replay()
        self.init_training()

    # ------------------------------------------------------------------------------ host side
    def start(self):
        self.emit({"type": "hello", "session": self.id, "defaults": default_config(), "previews": previews(),
                   "schema": schema(), "presets": presets.for_page(),
                   "limits": {"layers": MAX_LAYERS, "neurons": MAX_NEURONS, "points": MAX_POINTS,
                              "csvChars": MAX_CSV_CHARS, "classes": MAX_CLASSES}})

    def submit(self, msg: dict):
        if len(self.inbox) >= MAX_QUEUED:
            raise ProtocolError(f"{MAX_QUEUED} messages are already waiting in this session; slow down")
        self.inbox.append(msg)

    def close(self):
        self.closed = True
        self.inbox.clear()

    def emit(self, msg: dict):
        if not self.closed:
            self.emit_msg(msg)

    def error(self, message: str, field=None):
        self.emit({"type": "error", "message": message, "field": field})

    # ------------------------------------------------------------------------------ commands
    def handle(self, msg: dict):
        """Carry out one (validated) command now; ``step`` trains a whole epoch before returning."""
        kind = msg["type"]
        if kind == "ack":
            if msg["frame"] == self.frame_no:
                self._acked = True
            return
        if kind == "config":
            if msg.get("fresh"):  # as if the page had just opened with this setup
                self.resets = 0
                self.cfg.update(msg["config"])
                return self.rebuild(data=True)
            return self.apply_config(msg["config"])
        if not self.built:
            self.rebuild(data=True)
        if kind == "play":
            self.playing = not self.diverged and len(self.train_y) > 0
            self._pause_at_end = False
            self._credit, self._credit_t = 1.0, time.perf_counter()
            if self.diverged:
                self.error("this run diverged (the loss is NaN); press Reset to start again")
            self._status()
        elif kind == "pause":
            self.pending_steps = 0
            if self.epoch_running and self.cheap_to_finish():
                self._pause_at_end = True  # the epoch ends within a moment: pause at its end
            else:
                self.playing = False
                self._status()
        elif kind == "step":
            self.playing = False
            self.train_epoch()
            self._status()
        elif kind == "reset":
            self.resets += 1
            self.rebuild(data=False)
        elif kind == "regenerate":
            self.regenerate()
        elif kind == "focus":
            self.focus = None if msg["layer"] < 0 else (msg["layer"], msg["neuron"])
            self._dirty = True
        elif kind == "set_param":
            self.set_param(msg)
        elif kind == "add_point":
            self.add_point(msg)
        elif kind == "clear_points":
            self.replay.not_replayed(self.epoch, "own points were cleared")
            self._make_custom([], [])
        elif kind == "load_csv":
            self.load_csv(msg["text"])
        elif kind == "export":
            from .export import export_file
            self.emit(export_file(self, msg["what"]))

    def apply_config(self, patch: dict):
        changed = {k: v for k, v in patch.items() if self.cfg.get(k) != v}
        before = dict(self.cfg)
        self.cfg.update(patch)
        what = {CONFIG_SPEC[k][2] for k in changed}
        if not self.built or "data" in what:
            self.rebuild(data=True)
        elif "net" in what:
            self.rebuild(data=False)
        else:
            if "train" in what:
                self.replay.config(self.epoch, {k: (before[k], v) for k, v in changed.items()
                                                if CONFIG_SPEC[k][2] == "train"}, self.cfg)
            if "optimizer" in changed:
                self.opt = M.make_optimizer(self.cfg, self.net)
            if changed:
                self._dirty = True
        self.lr_now = M.scheduled_lr(self.cfg, self.epoch)

    def dataset_key(self):
        return {"classification": "dataset", "regression": "regDataset", "multiclass": "mcDataset"}[
            self.cfg["problem"]]

    # ------------------------------------------------------------------------------ data and network
    def regenerate(self):
        """TF Playground's Regenerate: a new seed and new data; the network keeps its weights."""
        key = self.dataset_key()
        seed = int(np.random.default_rng().integers(0, 1_000_000))
        was_custom = self.cfg[key] == "custom"
        self.cfg["seed"] = seed
        if was_custom:
            self.cfg[key] = CONFIG_SPEC[key][1]
            self.replay.not_replayed(self.epoch, f"Regenerate replaced own points by the {self.cfg[key]} data")
        else:
            self.replay.regenerate(self.epoch, seed)
        self.emit({"type": "config", "config": {"seed": seed, key: self.cfg[key]}})
        self.load_data()
        self._evaluate()  # the losses shown are the new data's at once, not after the next epoch

    def load_data(self):
        """Make (or fetch the own) data for the current config and the arrays training uses."""
        cfg = self.cfg
        if cfg[self.dataset_key()] == "custom":
            train, test = self.custom.get(cfg["problem"], ([], []))
            if cfg["problem"] == "multiclass":  # fewer classes than the own data has: drop the others
                train = [p for p in train if p[2] < cfg["nClasses"]]
                test = [p for p in test if p[2] < cfg["nClasses"]]
            self.train_pts, self.test_pts = list(train), list(test)
        else:
            X, y = M.generate(cfg)
            (Xtr, ytr), (Xte, yte) = M.split(X, y, cfg["percTrainData"])
            self.train_pts = [(float(a), float(b), float(t)) for (a, b), t in zip(Xtr, ytr)]
            self.test_pts = [(float(a), float(b), float(t)) for (a, b), t in zip(Xte, yte)]
        self.prepare_arrays()
        self.emit({"type": "data", "problem": cfg["problem"],
                   "train": np.round(np.array(self.train_pts).reshape(-1, 3), 3).tolist(),
                   "test": np.round(np.array(self.test_pts).reshape(-1, 3), 3).tolist()})
        self._dirty = True

    def rebuild(self, data: bool):
        """New weights (and, with ``data``, new data); epoch 0; paused, like TF Playground's reset."""
        self.abandon_epoch()
        if data:
            self.load_data()
        else:
            self.prepare_arrays()
        self.net = M.Network(self.cfg)
        self.net.initialise(M.init_scheme(self.cfg), M.init_generator(self.cfg["seed"], self.resets))
        self.opt = M.make_optimizer(self.cfg, self.net)
        self.loss_fn = M.make_loss(self.cfg)
        self.epoch, self.playing, self.diverged, self.pending_steps = 0, False, False, 0
        self.history, self.reset_history = [], True
        self.reset_streams()
        self.replay.start(self.cfg, self.resets)
        self.built = True
        self.focus = None
        labels = {"tanh": "tanh, −1 … 1", "linear": "linear (regression)", "logit": "sigmoid (cross-entropy)",
                  "softmax": f"softmax over {self.cfg['nClasses']} classes"}
        self.emit({"type": "network", "sizes": self.net.sizes, "inputs": M.feature_names(self.cfg),
                   "activations": self.net.activations, "outputLabel": labels[self.net.kind]})
        self._evaluate()
        self._status()

    def _make_custom(self, train, test):
        key = self.dataset_key()
        self.custom[self.cfg["problem"]] = (list(train), list(test))
        if self.cfg[key] != "custom":
            self.cfg[key] = "custom"
            self.emit({"type": "config", "config": {key: "custom"}})
        self.load_data()
        self._evaluate()
        self._status()

    def load_csv(self, text):
        xs, labels, splits = parse_csv(text, self.cfg["problem"], self.cfg["nClasses"])
        pts = [(*x, t) for x, t in zip(xs, labels)]
        if any(splits):  # the file says which points are for testing
            train = [p for p, sp in zip(pts, splits) if sp != "test"]
            test = [p for p, sp in zip(pts, splits) if sp == "test"]
        else:  # shuffled with the seed, then split by the ratio, like the built-in data
            pts = [pts[i] for i in np.random.default_rng(self.cfg["seed"]).permutation(len(pts))]
            n_train = len(pts) * self.cfg["percTrainData"] // 100
            train, test = pts[:n_train], pts[n_train:]
        self._make_custom(train, test)
        self.rebuild(data=False)

    def add_point(self, msg):
        problem, t = self.cfg["problem"], msg["label"]
        if problem == "classification" and t not in (-1.0, 1.0):
            raise ProtocolError(f"a classification point's label must be -1 or 1, got {t}", "label")
        if problem == "multiclass" and (not float(t).is_integer() or not 0 <= t < self.cfg["nClasses"]):
            raise ProtocolError(f"label must be a class 0..{self.cfg['nClasses'] - 1}, got {t}", "label")
        if problem == "regression" and not -1.0 <= t <= 1.0:
            raise ProtocolError(f"a regression point's target must lie in [-1, 1], got {t}", "label")
        if len(self.train_pts) + len(self.test_pts) >= MAX_POINTS:
            raise ProtocolError(f"at most {MAX_POINTS} points; clear some first", "add_point")
        point = (msg["x"], msg["y"], float(t))
        train, test = list(self.train_pts), list(self.test_pts)
        (train if msg["split"] == "train" else test).append(point)
        self.replay.not_replayed(self.epoch, "points were added by clicking")
        self._make_custom(train, test)

    def set_param(self, msg):
        lins = self.net.linears
        layer, row, col = msg["layer"], msg["row"], msg.get("col", 0)
        if layer >= len(lins):
            raise ProtocolError(f"layer {layer} does not exist; this network has {len(lins)} weight layers",
                                "layer")
        out_f, in_f = lins[layer].weight.shape
        if row >= out_f or (msg["kind"] == "weight" and col >= in_f):
            raise ProtocolError(f"({row}, {col}) is outside layer {layer}'s weights of shape ({out_f}, {in_f})",
                                "row")
        with cr.no_grad():
            if msg["kind"] == "weight":
                lins[layer].weight[row, col] = msg["value"]
                self.net.dead[layer][row, col] = False
            else:
                lins[layer].bias[row] = msg["value"]
        self.replay.edit(self.epoch, msg["kind"], layer, row, col, msg["value"])
        self._evaluate()

    def _status(self):
        custom_empty = self.built and len(self.train_y) == 0
        self.emit({"type": "status", "playing": self.playing or self.pending_steps > 0, "diverged": self.diverged,
                   "message": "No training points: add some by clicking the output map, or upload a CSV."
                   if custom_empty else ""})

    # ------------------------------------------------------------------------------ frames
    def _send_frame(self, panels=None):
        from .frames import PANEL_EVERY, PANEL_INTERVAL, frame_message

        now = time.perf_counter()
        if panels is None:
            panels = now - self._last_panels >= PANEL_INTERVAL and self.frame_no - self._panel_frame >= PANEL_EVERY
        if panels:
            self._last_panels, self._panel_frame = now, self.frame_no + 1
        self.frame_no += 1
        self.emit(frame_message(self, panels=panels))
        self.history, self.reset_history = [], False
        self._acked, self._dirty = False, False
        self._last_frame = now

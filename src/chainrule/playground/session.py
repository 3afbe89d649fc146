"""One browser tab's playground: its data, network, optimizer and training loop, on a worker thread.

The event loop only calls ``submit`` (already-validated messages), ``touch`` and ``close``; everything that
touches the model happens on the session's own thread, so training never blocks the server or other tabs.
While playing, the thread runs ``speed`` epochs per 1/60 s tick (speed 0: as fast as it can) and sends a
frame whenever the page has drawn the previous one (the page acknowledges each frame), so a slow page
gets fewer frames but training keeps its pace.
"""

from __future__ import annotations

import json
import queue
import secrets
import threading
import time
import traceback

import numpy as np

import chainrule as cr

from . import frames as F
from . import model as M
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
)

TICK = 1 / 60
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


class Session:
    def __init__(self, emit, config: dict | None = None):
        self.id = secrets.token_hex(8)
        self.emit_text = emit
        self.cfg = default_config() | (config or {})
        self.last_active = time.monotonic()
        self._cmds: queue.Queue = queue.Queue(maxsize=2000)
        self._closed = False
        self._thread = threading.Thread(target=self._run, name=f"playground-{self.id}", daemon=True)
        self.built = False
        self.playing = False
        self.diverged = False
        self.custom = {}  # problem -> (train points, test points) of own data
        self.focus = None
        self.frame_no = 0
        self._acked = True
        self._dirty = False
        self.resets = 0

    # ------------------------------------------------------------------------------ event-loop side
    def start(self):
        self.emit({"type": "hello", "session": self.id, "defaults": default_config(), "previews": previews(),
                   "limits": {"layers": MAX_LAYERS, "neurons": MAX_NEURONS, "points": MAX_POINTS,
                              "csvChars": MAX_CSV_CHARS, "classes": MAX_CLASSES}})
        self._thread.start()

    def submit(self, msg: dict):
        try:
            self._cmds.put_nowait(msg)
        except queue.Full:
            raise ProtocolError("too many messages queued; slow down") from None

    def touch(self):
        self.last_active = time.monotonic()

    def close(self):
        self._closed = True
        self._cmds.put(None)

    def emit(self, msg: dict):
        if self._closed:
            return
        self.emit_text(json.dumps(msg, separators=(",", ":"), allow_nan=False))

    def error(self, message: str, field=None):
        self.emit({"type": "error", "message": message, "field": field})

    # ------------------------------------------------------------------------------ worker thread
    def _run(self):
        with np.errstate(all="ignore"):  # a diverging run overflows: it is reported, not warned about
            self._loop()

    def _loop(self):
        next_tick = time.perf_counter()
        while not self._closed:
            try:
                if self.playing:
                    wait = 0.0 if self.cfg["speed"] == 0 else max(0.0, next_tick - time.perf_counter())
                elif self._dirty and self._acked:
                    wait = 0.0
                else:
                    wait = 1.0
                self._drain(wait)
                if self._closed:
                    break
                now = time.perf_counter()
                if self.playing and (self.cfg["speed"] == 0 or now >= next_tick):
                    self._train_tick(now)
                    # a late tick is made up (so 1 epoch/tick averages 60 epochs/s), but never more than 1 s of them
                    next_tick = max(next_tick + TICK, now - 1.0)
                if self._dirty and self._acked and self.built:
                    self._send_frame()
            except ProtocolError as e:
                self.error(str(e), e.field)
            except Exception as e:  # never let one bad command kill the tab's session
                traceback.print_exc()
                self.playing, self._dirty = False, False
                self.error(f"internal error: {type(e).__name__}: {e}")
                self._status()

    def _drain(self, wait: float):
        try:
            msg = self._cmds.get(timeout=wait) if wait > 0 else self._cmds.get_nowait()
        except queue.Empty:
            return
        while msg is not None:
            try:
                self.handle(msg)
            except ProtocolError as e:
                self.error(str(e), e.field)
            try:
                msg = self._cmds.get_nowait()
            except queue.Empty:
                return
        self._closed = True

    def _train_tick(self, now):
        """``speed`` epochs (or a short burst at speed 0); between epochs, a page that has drawn its last
        frame gets the next one at once rather than at the end of the tick."""
        n = self.cfg["speed"]
        deadline = now + 0.012
        done = 0
        while self.playing and (done < n if n else time.perf_counter() < deadline):
            self.train_epoch()
            done += 1
            self._drain(0)
            if self._dirty and self._acked and not self._closed:
                self._send_frame()

    # ------------------------------------------------------------------------------ commands
    def handle(self, msg: dict):
        kind = msg["type"]
        if kind == "ack":
            if msg["frame"] == self.frame_no:
                self._acked = True
            return
        if kind == "config":
            return self.apply_config(msg["config"])
        if not self.built:
            self.rebuild(data=True)
        if kind == "play":
            self.playing = not self.diverged and len(self.train_y) > 0
            if self.diverged:
                self.error("this run diverged (the loss is NaN); press Reset to start again")
            self._status()
        elif kind == "pause":
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
            self.cfg["seed"] = int(np.random.default_rng().integers(0, 1_000_000))
            if self.cfg[self._dataset_key()] == "custom":
                self.cfg[self._dataset_key()] = CONFIG_SPEC[self._dataset_key()][1]
            self.emit({"type": "config", "config": {"seed": self.cfg["seed"],
                                                    self._dataset_key(): self.cfg[self._dataset_key()]}})
            self.load_data()
        elif kind == "focus":
            self.focus = None if msg["layer"] < 0 else (msg["layer"], msg["neuron"])
            self._dirty = True
        elif kind == "set_param":
            self.set_param(msg)
        elif kind == "add_point":
            self.add_point(msg)
        elif kind == "clear_points":
            self._make_custom([], [])
        elif kind == "load_csv":
            xs, labels, splits = parse_csv(msg["text"], self.cfg["problem"], self.cfg["nClasses"])
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
        elif kind == "export":
            from .export import export_file
            self.emit(export_file(self, msg["what"]))

    def apply_config(self, patch: dict):
        changed = {k for k, v in patch.items() if self.cfg.get(k) != v}
        self.cfg.update(patch)
        what = {CONFIG_SPEC[k][2] for k in changed}
        if not self.built or "data" in what:
            self.rebuild(data=True)
        elif "net" in what:
            self.rebuild(data=False)
        elif changed & {"optimizer"}:
            self.opt = M.make_optimizer(self.cfg, self.net)
        elif "train" in what or "view" in what:
            self._dirty = True
        self.lr_now = M.scheduled_lr(self.cfg, self.epoch)

    def _dataset_key(self):
        return {"classification": "dataset", "regression": "regDataset", "multiclass": "mcDataset"}[
            self.cfg["problem"]]

    # ------------------------------------------------------------------------------ data and network
    def load_data(self):
        """Make (or fetch the own) data for the current config and the tensors training uses."""
        cfg = self.cfg
        if cfg[self._dataset_key()] == "custom":
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
        self._prepare_tensors()
        self.emit({"type": "data", "problem": cfg["problem"],
                   "train": np.round(np.array(self.train_pts).reshape(-1, 3), 3).tolist(),
                   "test": np.round(np.array(self.test_pts).reshape(-1, 3), 3).tolist()})
        self._dirty = True

    def _prepare_tensors(self):
        names = M.feature_names(self.cfg)
        tr = np.array(self.train_pts, dtype=np.float64).reshape(-1, 3)
        te = np.array(self.test_pts, dtype=np.float64).reshape(-1, 3)
        self.train_x, self.train_y = M.features(tr[:, :2], names), M.targets(tr[:, 2], self.cfg)
        self.test_x, self.test_y = M.features(te[:, :2], names), M.targets(te[:, 2], self.cfg)
        self.grid_x = cr.from_numpy(M.features(F.grid_points(), names))
        self.carry = None

    def rebuild(self, data: bool):
        """New weights (and, with ``data``, new data); epoch 0; paused, like TF Playground's reset."""
        if data:
            self.load_data()
        else:
            self._prepare_tensors()
        self.net = M.Network(self.cfg)
        self.net.initialise(M.init_scheme(self.cfg), M.init_generator(self.cfg["seed"], self.resets))
        self.opt = M.make_optimizer(self.cfg, self.net)
        self.loss_fn = M.make_loss(self.cfg)
        self.epoch, self.playing, self.diverged = 0, False, False
        self.history, self.reset_history = [], True
        self.shuffle_rng = np.random.default_rng([self.cfg["seed"], self.resets, 1])
        self.dropout_state = M.dropout_generator(self.cfg["seed"], self.resets).get_state()
        self.built = True
        self.focus = None
        labels = {"tanh": "tanh, −1 … 1", "linear": "linear (regression)", "logit": "sigmoid (cross-entropy)",
                  "softmax": f"softmax over {self.cfg['nClasses']} classes"}
        self.emit({"type": "network", "sizes": self.net.sizes, "inputs": M.feature_names(self.cfg),
                   "activations": self.net.activations, "outputLabel": labels[self.net.kind]})
        self._evaluate()
        self._status()

    def _make_custom(self, train, test):
        key = self._dataset_key()
        self.custom[self.cfg["problem"]] = (list(train), list(test))
        if self.cfg[key] != "custom":
            self.cfg[key] = "custom"
            self.emit({"type": "config", "config": {key: "custom"}})
        self.load_data()
        self._evaluate()
        self._status()

    def add_point(self, msg):
        problem, t = self.cfg["problem"], msg["label"]
        if problem == "classification":
            if t not in (-1.0, 1.0):
                raise ProtocolError(f"a classification point's label must be -1 or 1, got {t}", "label")
        elif problem == "multiclass":
            if not float(t).is_integer() or not 0 <= t < self.cfg["nClasses"]:
                raise ProtocolError(f"label must be a class 0..{self.cfg['nClasses'] - 1}, got {t}", "label")
        if len(self.train_pts) + len(self.test_pts) >= MAX_POINTS:
            raise ProtocolError(f"at most {MAX_POINTS} points; clear some first", "add_point")
        point = (msg["x"], msg["y"], float(t))
        train, test = list(self.train_pts), list(self.test_pts)
        (train if msg["split"] == "train" else test).append(point)
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
        if msg["kind"] == "weight":
            lins[layer].weight.data[row, col] = msg["value"]
            self.net.dead[layer][row, col] = False
        else:
            lins[layer].bias.data[row] = msg["value"]
        self._evaluate()

    # ------------------------------------------------------------------------------ training
    def train_epoch(self):
        """One pass over the training points in batches (see model.py for the exact rule)."""
        n = len(self.train_y)
        if n == 0 or self.diverged:
            self.playing = False
            return
        cfg, net, opt = self.cfg, self.net, self.opt
        if any(cfg["batchNorm"][:len(cfg["networkShape"])]) and (cfg["batchSize"] < 2 or n < 2):
            self.playing = False
            self._status()
            raise ProtocolError("batch norm needs at least 2 points per batch (it divides by the batch's spread): "
                                "raise the batch size or turn batch norm off", "batchSize")
        lr = M.scheduled_lr(cfg, self.epoch)
        M.update_hyperparameters(opt, cfg, lr)
        X, Y = self.train_x, self.train_y
        if cfg["shuffle"]:
            perm = self.shuffle_rng.permutation(n)
            X, Y = X[perm], Y[perm]
        bs, reg, rate = cfg["batchSize"], cfg["regularization"], cfg["regularizationRate"]
        regularising = (reg != "none" and rate > 0) or any(d.any() for d in net.dead)
        net.model.train()
        m = n // bs
        bounds = [(k * bs, (k + 1) * bs) for k in range(m)] or [(0, n)]  # n < bs: one update of n points
        leftover = (X[m * bs:], Y[m * bs:]) if m and m * bs < n else None
        with M.dropout_rng(self):
            self._batches(X, Y, bounds, regularising, lr)
        self.carry = leftover
        self.epoch += 1
        self.lr_now = lr
        self._evaluate()

    def _batches(self, X, Y, bounds, regularising, lr):
        net, opt, reg, rate = self.net, self.opt, self.cfg["regularization"], self.cfg["regularizationRate"]
        for k, (i, j) in enumerate(bounds):
            xb, yb = X[i:j], Y[i:j]
            if k == 0 and self.carry is not None:  # last epoch's leftover points join the first batch
                xb, yb = np.concatenate([self.carry[0], xb]), np.concatenate([self.carry[1], yb])
            before = [lin.weight.detach().numpy().copy() for lin in net.linears] if regularising else None
            opt.zero_grad()
            loss = self.loss_fn(net.model(cr.from_numpy(xb)), cr.from_numpy(yb))
            loss.backward()
            opt.step()
            if regularising:
                M.regularise(net, before, reg, lr, rate)

    def _loss_on(self, x, y):
        if len(y) == 0:
            return None
        return float(self.loss_fn(self.net.model(cr.from_numpy(x)), cr.from_numpy(y)).item())

    def _evaluate(self):
        """Train and test loss with the current weights (eval mode: no dropout, BN running stats)."""
        self.net.model.eval()
        with cr.no_grad():
            self.train_loss = self._loss_on(self.train_x, self.train_y)
            self.test_loss = self._loss_on(self.test_x, self.test_y)
        self.history.append([self.epoch, F.finite(self.train_loss), F.finite(self.test_loss)])
        if self.train_loss is not None and not np.isfinite(self.train_loss):
            self.diverged, self.playing = True, False
            self._status()
        self._dirty = True

    def _status(self):
        custom_empty = self.built and len(self.train_y) == 0
        self.emit({"type": "status", "playing": self.playing, "diverged": self.diverged,
                   "message": "No training points: add some by clicking the output map, or upload a CSV."
                   if custom_empty else ""})

    # ------------------------------------------------------------------------------ frames
    def _send_frame(self):
        self.frame_no += 1
        self.emit(F.frame_message(self))
        self.history, self.reset_history = [], False
        self._acked, self._dirty = False, False

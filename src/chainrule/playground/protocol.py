"""The playground's wire protocol: JSON text messages over one WebSocket per browser tab.

Every message is a JSON object with a ``"type"``. Nothing a client sends is ever executed, evaluated or
unpickled: each message is checked here field by field (type, range, size) before the session sees it,
and a bad message is answered with an ``error`` message while the session keeps running.

Client → server
---------------
``{"type": "config", "config": {...}}`` (optionally ``"fresh": true``)
    A partial update of the setup; only the keys given change (``fresh``: new data and weights as if the
    page had just been opened with this setup, Reset count 0: a preset gives every student the same run).
    Keys (and their URL names, which are the same) are listed in ``CONFIG_SPEC`` below: TensorFlow
    Playground's keys (``dataset``, ``noise``, ``percTrainData``, ``batchSize``, ``networkShape``,
    ``learningRate``, ``activation``, ``regularization``, ``regularizationRate``, ``problem``, ``x``, ``y``,
    ``xSquared``, ``ySquared``, ``xTimesY``, ``sinX``, ``sinY``, ``seed``, ``initZero``, ...) and chainrule's
    own (``optimizer``, ``momentum``, ``beta1``, ``beta2``, ``schedule``, ``init``, ``loss``,
    ``layerActivations``, ``batchNorm``, ``dropout``, ``shuffle``, ``nClasses``, ``speed``, ...). Changing
    data keys makes new data and new weights; changing network keys makes new weights; training keys (learning
    rate, regularisation, batch size, optimizer, schedule, speed) apply to the running network without a reset.
``{"type": "play"}``, ``{"type": "pause"}``, ``{"type": "step"}`` (one epoch), ``{"type": "reset"}`` (new
    weights, same data, epoch 0), ``{"type": "regenerate"}`` (new seed and new data, same network).
``{"type": "set_param", "kind": "weight"|"bias", "layer": l, "row": i, "col": j, "value": v}``
    Edit one weight (layer ``l``'s weight matrix, row = neuron in layer l+1, col = input) or bias.
``{"type": "add_point", "x": x1, "y": x2, "label": t, "split": "train"|"test"}``
    Add a point (the data becomes ``custom``); ``label`` is ±1 (classification), a class index
    (multiclass) or a number in [-1, 1] (regression).
``{"type": "clear_points"}``; ``{"type": "load_csv", "text": "x1,x2,label[,train|test]\\n..."}`` (own
    data, at most ``MAX_CSV_CHARS`` characters and ``MAX_POINTS`` rows; without the split column the points
    are shuffled with the seed and split by ``percTrainData``).
``{"type": "export", "what": "checkpoint"|"script"|"data"}``: ask for a file.
``{"type": "ack", "frame": n}``: frame n has been drawn (flow control: at most one frame is in flight).
``{"type": "focus", "layer": l, "neuron": j}``: frames also carry that neuron's full 100×100 map (the page
    shows it in the big heatmap while the mouse is over the neuron); layer -1 clears it.

``hiddenView`` (a hidden layer's number, 0 = none) and ``hiddenStage`` (``post``/``pre``) are view settings in
``config``: frames then carry that layer's view of the plane (warp.py).

Server → client
---------------
``hello`` (session id, limits, defaults, the settings' schema, presets, 200-point previews of every dataset),
``config`` (settings the server changed: a new seed after Regenerate, ``custom`` after own points), ``data``
(train/test points), ``network`` (layer sizes, input names, per-layer activations), ``frame`` (epoch, losses,
accuracy, heatmap and neuron thumbnails as base64 bytes, weights, biases, dead links, new loss-history points;
gradient norms and activation histograms every few frames, else null; the hidden layer's view), ``status``
(playing, diverged), ``file`` (name, mime, base64; for a script, what it does not replay) and ``error``
(message, field; ``dropped``: how many errors before it a slow client did not get).

Limits: at most ``MAX_LAYERS`` hidden layers of ``MAX_NEURONS`` neurons (what the page draws at 20 frames/s),
``MAX_POINTS`` points, messages of ``MAX_MESSAGE_CHARS``; a tab that does not read gets the newest state, not
a growing queue (outbox.py).
"""

from __future__ import annotations

import json
import math

MAX_MESSAGE_CHARS = 400_000  # a CSV of 5,000 points fits; anything larger is refused before parsing
MAX_CSV_CHARS = 300_000
MAX_POINTS = 5_000
MAX_LAYERS = 8
MAX_NEURONS = 16  # the page draws 8 layers of 16 (1,840 links) at >= 20 frames/s; 32 took 140 ms a frame
MAX_CLASSES = 6

FEATURES = ("x", "y", "xSquared", "ySquared", "xTimesY", "sinX", "sinY")
# chainrule.data.datasets.feature_map's names for the URL keys above.
FEATURE_NAMES = {"x": "x1", "y": "x2", "xSquared": "x1^2", "ySquared": "x2^2", "xTimesY": "x1*x2",
                 "sinX": "sin(x1)", "sinY": "sin(x2)"}
ACTIVATIONS = ("tanh", "relu", "sigmoid", "linear", "leakyrelu", "elu", "prelu", "softplus", "gelu")
OPTIMIZERS = ("sgd", "momentum", "nesterov", "adagrad", "rmsprop", "adam")
LEARNING_RATES = (0.00001, 0.0001, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)
REG_RATES = (0, 0.001, 0.003, 0.01, 0.03, 0.1, 0.3, 1, 3, 10)


# Every message type the server sends (the server's queues treat each type by its own rule: see outbox.py).
SERVER_MESSAGES = ("hello", "config", "data", "network", "frame", "status", "file", "error")


class ProtocolError(ValueError):
    """A client message that does not follow the protocol; ``field`` names the offending key."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field


# --------------------------------------------------------------------------------- field checkers
def _spec(**spec):
    """Attach a JSON description of what a checker accepts (sent to the page in ``hello``: the page checks a
    link's values against it and names the allowed values when one is wrong)."""
    def mark(check):
        check.spec = spec
        return check
    return mark


@_spec(type="bool")
def _bool(name, v):
    if not isinstance(v, bool):
        raise ProtocolError(f"{name} must be true or false, got {v!r:.40}", name)
    return v


def _int(lo, hi):
    @_spec(type="int", min=lo, max=hi)
    def check(name, v):
        if isinstance(v, bool) or not isinstance(v, int):
            if isinstance(v, float) and v.is_integer():
                v = int(v)
            else:
                raise ProtocolError(f"{name} must be an integer in [{lo}, {hi}], got {v!r:.40}", name)
        if not lo <= v <= hi:
            raise ProtocolError(f"{name} must be in [{lo}, {hi}], got {v}", name)
        return v
    return check


def _num(lo, hi, open_lo=False):
    @_spec(type="num", min=lo, max=hi, openMin=open_lo)
    def check(name, v):
        if isinstance(v, int) and not isinstance(v, bool) and abs(v) > 1e300:  # float(v) would overflow
            raise ProtocolError(f"{name} must be in [{lo}, {hi}], got an integer of {len(str(v))} digits", name)
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            raise ProtocolError(f"{name} must be a finite number, got {v!r:.40}", name)
        if v < lo or v > hi or (open_lo and v == lo):
            bracket = "(" if open_lo else "["
            raise ProtocolError(f"{name} must be in {bracket}{lo}, {hi}], got {v}", name)
        return float(v)
    return check


def _choice(*options):
    @_spec(type="choice", options=list(options))
    def check(name, v):
        if isinstance(v, (list, dict)) or v not in options:
            raise ProtocolError(f"{name} must be one of {', '.join(map(str, options))}; got {v!r:.40}", name)
        return v
    return check


def _list(item, max_len, min_len=0):
    @_spec(type="list", item=item.spec, minLen=min_len, maxLen=max_len)
    def check(name, v):
        if not isinstance(v, list):
            raise ProtocolError(f"{name} must be a list, got {type(v).__name__}", name)
        if not min_len <= len(v) <= max_len:
            raise ProtocolError(f"{name} must have {min_len} to {max_len} entries, got {len(v)}", name)
        try:
            return [item(f"{name}[{i}]", x) for i, x in enumerate(v)]
        except ProtocolError as e:  # the field is the setting (what a link names), not its entry
            raise ProtocolError(str(e), name) from None
    return check


@_spec(type="choice", options=["", *ACTIVATIONS])
def _activation_or_empty(name, v):
    return "" if v == "" else _choice(*ACTIVATIONS)(name, v)


# Every configuration key: (checker, default, what a change does: "data", "net" or "train").
# Defaults are TensorFlow Playground's.
CONFIG_SPEC = {
    # data
    "problem": (_choice("classification", "regression", "multiclass"), "classification", "data"),
    "dataset": (_choice("circle", "xor", "gauss", "spiral", "custom"), "circle", "data"),
    "regDataset": (_choice("reg-plane", "reg-gauss", "custom"), "reg-plane", "data"),
    "mcDataset": (_choice("spiral-k", "blobs", "custom"), "spiral-k", "data"),
    "nClasses": (_int(2, MAX_CLASSES), 3, "data"),
    "noise": (_int(0, 50), 0, "data"),
    "percTrainData": (_int(10, 90), 50, "data"),
    "seed": (_int(0, 2**31 - 1), 1, "data"),
    # network
    **{f: (_bool, f in ("x", "y"), "net") for f in FEATURES},
    "networkShape": (_list(_int(1, MAX_NEURONS), MAX_LAYERS), [4, 2], "net"),
    "activation": (_choice(*ACTIVATIONS), "tanh", "net"),
    "layerActivations": (_list(_activation_or_empty, MAX_LAYERS), [], "net"),
    "batchNorm": (_list(_bool, MAX_LAYERS), [], "net"),
    "dropout": (_list(_num(0.0, 0.9), MAX_LAYERS), [], "net"),
    "init": (_choice("tf", "zeros", "small", "large", "lecun", "xavier", "he"), "tf", "net"),
    "initZero": (_bool, False, "net"),
    "loss": (_choice("mse", "ce"), "mse", "net"),
    # training (no reset)
    "learningRate": (_num(0.0, 10.0, open_lo=True), 0.03, "train"),
    "regularization": (_choice("none", "L1", "L2"), "none", "train"),
    "regularizationRate": (_num(0.0, 10.0), 0.0, "train"),
    "batchSize": (_int(1, 500), 10, "train"),
    "optimizer": (_choice(*OPTIMIZERS), "sgd", "train"),
    "momentum": (_num(0.0, 0.999), 0.9, "train"),
    "beta1": (_num(0.0, 0.999), 0.9, "train"),
    "beta2": (_num(0.0, 0.9999), 0.999, "train"),
    "alpha": (_num(0.0, 0.9999), 0.99, "train"),
    "schedule": (_choice("none", "step", "exp", "cosine"), "none", "train"),
    "gamma": (_num(0.0, 1.0, open_lo=True), 0.5, "train"),
    "stepSize": (_int(1, 100_000), 100, "train"),
    "tMax": (_int(1, 1_000_000), 500, "train"),
    "shuffle": (_bool, False, "train"),
    "speed": (_int(0, 100), 1, "train"),  # epochs per frame; 0 = as fast as possible
    # display only (kept so that the whole setup lives in one object)
    "showTestData": (_bool, False, "view"),
    "discretize": (_bool, False, "view"),
    "hiddenView": (_int(0, MAX_LAYERS), 0, "view"),  # the hidden layer whose view of the plane is shown; 0 = none
    "hiddenStage": (_choice("post", "pre"), "post", "view"),  # after or before that layer's activation
}


def schema() -> dict:
    """What every configuration key accepts, as JSON (the page checks links against it)."""
    return {key: check.spec for key, (check, _, _) in CONFIG_SPEC.items()}


def default_config() -> dict:
    return {k: (list(d) if isinstance(d, list) else d) for k, (_, d, _) in CONFIG_SPEC.items()}


def validate_config(patch) -> dict:
    """Check a partial configuration; returns the cleaned copy (numbers normalised)."""
    if not isinstance(patch, dict):
        raise ProtocolError(f"config must be an object, got {type(patch).__name__}", "config")
    out = {}
    for key, value in patch.items():
        if key not in CONFIG_SPEC:
            raise ProtocolError(f"unknown config key {key!r:.40}", "config")
        out[key] = CONFIG_SPEC[key][0](key, value)
    return out


def _field(msg, name, check):
    if name not in msg:
        raise ProtocolError(f"message {msg.get('type')!r} needs the field {name!r}", name)
    return check(name, msg[name])


def _text(max_chars):
    def check(name, v):
        if not isinstance(v, str):
            raise ProtocolError(f"{name} must be a string", name)
        if len(v) > max_chars:
            raise ProtocolError(f"{name} is {len(v)} characters; at most {max_chars} are accepted", name)
        return v
    return check


# type -> {field: checker}
MESSAGES = {
    "config": {"config": lambda name, v: validate_config(v), "fresh": _bool},
    "play": {}, "pause": {}, "step": {}, "reset": {}, "regenerate": {}, "clear_points": {},
    "set_param": {"kind": _choice("weight", "bias"), "layer": _int(0, MAX_LAYERS),
                  "row": _int(0, MAX_NEURONS - 1), "col": _int(0, MAX_NEURONS - 1),
                  "value": _num(-100.0, 100.0)},
    "add_point": {"x": _num(-6.0, 6.0), "y": _num(-6.0, 6.0), "label": _num(-1.0, MAX_CLASSES - 1),
                  "split": _choice("train", "test")},
    "load_csv": {"text": _text(MAX_CSV_CHARS)},
    "export": {"what": _choice("checkpoint", "script", "data")},
    "ack": {"frame": _int(0, 2**53)},
    "focus": {"layer": _int(-1, MAX_LAYERS + 1), "neuron": _int(0, MAX_NEURONS - 1)},
}
OPTIONAL = {"set_param": {"col"}, "config": {"fresh"}}


def parse_message(raw) -> dict:
    """Parse and validate one client message (a JSON text); raises ProtocolError."""
    if not isinstance(raw, str):
        raise ProtocolError("messages must be JSON text frames, not binary")
    if len(raw) > MAX_MESSAGE_CHARS:
        raise ProtocolError(f"message of {len(raw)} characters is over the {MAX_MESSAGE_CHARS} allowed")
    try:
        msg = json.loads(raw, parse_constant=_reject_constant)
    except (ValueError, RecursionError) as e:
        raise ProtocolError(f"message is not valid JSON: {str(e)[:80]}") from None
    if not isinstance(msg, dict):
        raise ProtocolError(f"a message must be a JSON object, got {type(msg).__name__}")
    kind = msg.get("type")
    if not isinstance(kind, str) or kind not in MESSAGES:
        raise ProtocolError(f"unknown message type {kind!r:.40}; expected one of {', '.join(MESSAGES)}",
                            "type")
    spec = MESSAGES[kind]
    extra = set(msg) - set(spec) - {"type"}
    if extra:
        raise ProtocolError(f"message {kind!r} has unknown fields: {', '.join(sorted(map(str, extra)))[:80]}")
    out = {"type": kind}
    for name, check in spec.items():
        if name in OPTIONAL.get(kind, ()) and name not in msg:
            continue
        out[name] = _field(msg, name, check)
    return out


def _reject_constant(name):
    raise ValueError(f"{name} is not a number JSON allows")


def parse_csv(text: str, problem: str, n_classes: int):
    """Parse own data: rows ``x1,x2,label`` or ``x1,x2,label,split`` (an optional header row is skipped).

    Coordinates must lie in [-6, 6]; labels must be ±1 (classification; 0 is read as -1), a class index
    0..k-1 (multiclass) or a number in [-1, 1] (regression); ``split`` is ``train`` or ``test`` (the playground's own
    download has it). Returns lists ``xs`` (n, 2), ``labels`` and ``splits`` (None where not given).
    """
    rows = [ln.strip() for ln in text.replace("\r", "\n").split("\n")]
    rows = [r for r in rows if r and not r.startswith("#")]
    if rows and not _looks_numeric(rows[0]):
        rows = rows[1:]  # header
    if not rows:
        raise ProtocolError("the CSV has no data rows; expected lines like 1.5,-2.0,1", "text")
    if len(rows) > MAX_POINTS:
        raise ProtocolError(f"the CSV has {len(rows)} rows; at most {MAX_POINTS} points are accepted", "text")
    xs, labels, splits = [], [], []
    for i, row in enumerate(rows, 1):
        parts = [p.strip() for p in row.replace(";", ",").replace("\t", ",").split(",")]
        if len(parts) == 4 and parts[3].lower() in ("train", "test"):
            splits.append(parts.pop().lower())
        elif len(parts) == 3:
            splits.append(None)
        else:
            raise ProtocolError(f"CSV row {i} has {len(parts)} columns; expected x1, x2, label (and optionally "
                                f"train/test): {row[:40]!r}", "text")
        try:
            x1, x2, t = (float(p) for p in parts)
        except ValueError:
            raise ProtocolError(f"CSV row {i} is not three numbers: {row[:40]!r}", "text") from None
        if not all(map(math.isfinite, (x1, x2, t))):
            raise ProtocolError(f"CSV row {i} has a NaN or infinite value", "text")
        if not (-6 <= x1 <= 6 and -6 <= x2 <= 6):
            raise ProtocolError(f"CSV row {i}: x1 and x2 must lie in [-6, 6], got ({x1}, {x2})", "text")
        xs.append((x1, x2))
        labels.append(_csv_label(t, i, problem, n_classes))
    return xs, labels, splits


def _csv_label(t, i, problem, n_classes):
    if problem == "classification":
        if t not in (-1.0, 0.0, 1.0):
            raise ProtocolError(f"CSV row {i}: a classification label must be -1/0 or 1, got {t}", "text")
        return 1.0 if t > 0 else -1.0
    if problem == "multiclass":
        if not t.is_integer() or not 0 <= t < n_classes:
            raise ProtocolError(f"CSV row {i}: a class label must be an integer 0..{n_classes - 1}, got {t}",
                                "text")
        return float(t)
    if not -1.0 <= t <= 1.0:
        raise ProtocolError(f"CSV row {i}: a regression target must lie in [-1, 1] (the colour scale), got {t}; "
                            "rescale the targets", "text")
    return t


def _looks_numeric(row: str) -> bool:
    try:
        float(row.replace(";", ",").replace("\t", ",").split(",")[0])
        return True
    except ValueError:
        return False

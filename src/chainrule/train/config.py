"""The configuration of ``chainrule train``: defaults, a TOML file, flags — validated before any training.

Precedence: built-in defaults < the TOML file (``--config``) < command-line flags. A TOML file uses the
flags' names as keys, with ``_`` or ``-`` (``batch_size = 64`` or ``"batch-size" = 64``), at the top level
or under a ``[train]`` table. Every value is checked here, and a bad one is refused with a ``ConfigError``
naming the field, the value and what is allowed — so a typo fails in a second, not after an hour.

    resolve(file_values, flag_values) -> the complete config dict (what ``config.json`` records)
"""

from __future__ import annotations

import difflib
import importlib.util
import numbers
import os

from ..nn.mlp import INIT_SCHEMES

__all__ = ["ConfigError", "DEFAULTS", "CHOICES", "resolve", "read_toml", "default_lr", "check_value", "load_toml"]


class ConfigError(ValueError):
    """A bad configuration value; the message names the field and the allowed values."""


# The activation names chainrule train offers (torch's functional names; "linear" for none) and the init
# schemes: what each means is written once, in nn.activation_registry and nn.mlp.
ACTIVATIONS = ("relu", "tanh", "sigmoid", "leaky_relu", "elu", "gelu", "silu", "softplus", "linear")
INITS = list(INIT_SCHEMES)
OPTIMIZERS = {"sgd": "SGD", "adagrad": "Adagrad", "adadelta": "Adadelta", "rmsprop": "RMSprop", "adam": "Adam",
              "adamw": "AdamW"}
SCHEDULES = ["none", "step", "exponential", "cosine", "plateau"]
LOSSES = ["auto", "cross_entropy", "bce", "mse", "l1", "huber"]
MODELS = ["mlp", "cnn"]
IMAGES = {"digits": (1, 8, 8)}  # the data sets a CNN can take: their image shape (C, H, W)

CHOICES = {"activation": list(ACTIVATIONS), "init": INITS, "optimizer": list(OPTIMIZERS), "schedule": SCHEDULES,
           "loss": LOSSES, "model": MODELS}

# torch's default learning rates (SGD has none in torch; 0.1 suits these small nets)
_LR = {"sgd": 0.1, "adagrad": 0.01, "adadelta": 1.0, "rmsprop": 0.01, "adam": 0.001, "adamw": 0.001}

DEFAULTS = {
    "dataset": "digits",      # a name chainrule.data.datasets.load accepts, or "csv:PATH"
    "target": None,           # csv: the target column (default: the last)
    "task": None,             # csv: "classification" / "regression" (default: guessed from the target)
    "noise": None,            # generated 2-D sets: noise fraction (default: the generator's)
    "n_samples": None,        # generated 2-D sets: number of points
    "n_classes": None,        # spiral_k, blobs
    "features": None,         # 2-D sets: input feature maps, e.g. ["x1", "x2", "x1*x2"]
    "data_seed": 0,           # fixes the generated data and the train/val/test split
    "augment": False,         # digits: random 1-pixel shifts and pixel noise on the training batches
    "model": "mlp",           # mlp, or cnn: a small CNN for the 8×8 digits (nn/cnn.py; ignores hidden and batchnorm)
    "hidden": [256],          # hidden layer widths ([] = no hidden layer: a linear model)
    "activation": "relu",
    "init": "default",        # default = PyTorch's (kaiming_uniform with a=√5, bias U(±1/√fan_in))
    "batchnorm": False,       # BatchNorm1d after every hidden Linear, before the activation
    "dropout": 0.2,           # dropout probability after every hidden activation
    "loss": "auto",           # auto: cross_entropy for classification, mse for regression
    "optimizer": "adam",
    "lr": None,               # default: the optimizer's usual one (adam 0.001, sgd 0.1, ...)
    "momentum": 0.0,          # sgd, rmsprop
    "nesterov": False,        # sgd (needs momentum > 0)
    "betas": [0.9, 0.999],    # adam, adamw
    "weight_decay": None,     # default 0 (adamw: 0.01, torch's default)
    "schedule": "cosine",     # cosine: lr falls from lr to 0 over the epochs (a calm finish)
    "step_size": 10,          # schedule=step: epochs between decays
    "gamma": 0.1,             # schedule=step/exponential/plateau: decay factor
    "early_stopping": 0,      # patience in epochs (0 = off); restores the best weights
    "batch_size": 32,
    "epochs": 40,
    "seed": 0,                # initial weights, shuffling, dropout
    "out": None,              # run folder (default: runs/<dataset>-<timestamp>)
    "tensorboard": False,     # TensorBoard logs in <out>/tensorboard (needs the tensorboard package)
    "device": "cpu",          # cpu, or cuda (cuda:N): model and data on that GPU (needs CuPy: chainrule[cuda])
}

_OPTIMIZER_ONLY = {"momentum": ("sgd", "rmsprop"), "nesterov": ("sgd",), "betas": ("adam", "adamw")}


def default_lr(optimizer):
    return _LR[optimizer]


def _suggest(word, options):
    close = difflib.get_close_matches(str(word), list(options), n=1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _flag(key):
    return "--" + key.replace("_", "-")


class _Checker:
    def __init__(self, source):
        self.source = source  # how a field is named in messages: as a flag or as a key in the file

    def name(self, key, origin):
        return _flag(key) if origin == "flag" else f"{key} (in {self.source})"

    def fail(self, key, origin, msg):
        raise ConfigError(f"{self.name(key, origin)}: {msg}")


def _is_int(v):
    return isinstance(v, numbers.Integral) and not isinstance(v, bool)


def _is_num(v):
    return isinstance(v, numbers.Real) and not isinstance(v, bool)


def _parse_list(v, conv, key):
    """"64,64" → [64, 64]; a TOML array stays a list; "" / "none" → []."""
    if isinstance(v, str):
        s = v.strip()
        if s.lower() in ("", "none", "[]"):
            return []
        try:
            return [conv(p.strip()) for p in s.strip("[]").split(",") if p.strip()]
        except ValueError:
            raise ValueError(f"expected comma-separated {conv.__name__}s like '64,64', got {v!r}") from None
    if isinstance(v, (list, tuple)):
        return list(v)
    raise ValueError(f"expected a list, got {v!r}")


def _check_field(key, v, fail):
    """Normalise one value or call ``fail(message)``."""
    if key in CHOICES:
        if not isinstance(v, str) or v.lower() not in CHOICES[key]:
            fail(f"unknown value {v!r}{_suggest(v, CHOICES[key])}; allowed: {', '.join(CHOICES[key])}")
        return v.lower()
    if key in ("dataset", "target", "out"):
        if v is not None and (not isinstance(v, str) or not v):
            fail(f"expected a non-empty string, got {v!r}")
        return v
    if key == "device":
        from ..engine.device import device as _device

        try:
            d = _device(v) if isinstance(v, str) else None
        except (RuntimeError, ValueError, TypeError):
            d = None
        if d is None:
            fail(f"expected cpu, cuda or cuda:N, got {v!r}")
        if d.type == "cuda":
            from .. import cuda

            if not cuda.is_available():
                fail("no CUDA GPU is available to chainrule (CUDA runs through CuPy: pip install "
                     "'chainrule[cuda]' on a machine with an NVIDIA GPU); use --device cpu")
        return str(d)
    if key == "task":
        if v not in (None, "classification", "regression"):
            fail(f"allowed: classification, regression (csv data only), got {v!r}")
        return v
    if key in ("batchnorm", "nesterov", "augment", "tensorboard"):
        if not isinstance(v, bool):
            fail(f"expected true or false, got {v!r}")
        if key == "tensorboard" and v and importlib.util.find_spec("tensorboard") is None:
            fail("TensorBoard logs need the tensorboard package: pip install 'chainrule[tensorboard]'")
        return v
    if key == "hidden":
        try:
            sizes = _parse_list(v, int, key)
        except ValueError as e:
            fail(str(e))
        if not all(_is_int(s) and s >= 1 for s in sizes):
            fail(f"layer widths must be positive integers, e.g. 64,64 ([] or 'none' for no hidden layer); got {v!r}")
        return [int(s) for s in sizes]
    if key == "betas":
        try:
            b = _parse_list(v, float, key)
        except ValueError as e:
            fail(str(e))
        if len(b) != 2 or not all(_is_num(x) and 0 <= x < 1 for x in b):
            fail(f"expected two numbers in [0, 1), e.g. 0.9,0.999; got {v!r}")
        return [float(x) for x in b]
    if key == "features":
        if v is None:
            return None
        from ..data.datasets import FEATURES

        try:
            names = _parse_list(v, str, key)
        except ValueError as e:
            fail(str(e))
        for n in names:
            if n not in FEATURES:
                fail(f"unknown feature {n!r}; allowed: {', '.join(FEATURES)}")
        if not names:
            fail(f"give at least one feature; allowed: {', '.join(FEATURES)}")
        return names
    ints = {"batch_size": 1, "epochs": 0, "step_size": 1, "early_stopping": 0, "seed": 0, "data_seed": 0,
            "n_samples": 4, "n_classes": 2}
    if key in ints:
        if v is None and key in ("n_samples", "n_classes"):
            return None
        if not _is_int(v) or v < ints[key]:
            fail(f"expected an integer >= {ints[key]}, got {v!r}")
        return int(v)
    ranges = {"lr": (0, None, False), "momentum": (0, 1, True), "weight_decay": (0, None, True),
              "gamma": (0, 1, False), "dropout": (0, 1, True), "noise": (0, 1, True)}
    if key in ranges:
        if v is None and key in ("lr", "weight_decay", "noise"):
            return None
        lo, hi, closed_lo = ranges[key]
        ok = _is_num(v) and (v >= lo if closed_lo else v > lo) and (
            hi is None or v < hi or (key == "noise" and v <= hi))  # noise 1 is allowed
        if not ok:
            rng = f"{'[' if closed_lo else '('}{lo}, {hi if hi is not None else '∞'})"
            fail(f"expected a number in {rng}, got {v!r}")
        return float(v)
    raise AssertionError(key)


def check_value(key, value, source="the config file"):
    """One option's value, normalised, or a ``ConfigError`` naming it (alone: no cross-checks)."""
    if key not in DEFAULTS:
        raise ConfigError(f"{key} (in {source}): unknown setting{_suggest(key, DEFAULTS)}")
    chk = _Checker(source)
    return _check_field(key, value, lambda msg: chk.fail(key, "file", msg))


def load_toml(path, flag="--config"):
    """A TOML file's tables, or a ``ConfigError`` (``flag``: how the file was given) if it cannot be read."""
    try:
        import tomllib
    except ImportError:  # Python 3.10
        try:
            import tomli as tomllib
        except ImportError:
            raise ConfigError(f"{flag}: reading TOML needs Python 3.11+ (or: pip install tomli)") from None
    try:
        with open(path, "rb") as f:
            return tomllib.load(f)
    except FileNotFoundError:
        raise ConfigError(f"{flag}: file not found: {path}") from None
    except tomllib.TOMLDecodeError as e:
        raise ConfigError(f"{flag}: {path} is not valid TOML: {e}") from None


def read_toml(path):
    """The values of a TOML config file (top level, or its ``[train]`` table), keys normalised to ``_``."""
    data = load_toml(path)
    if "train" in data and isinstance(data["train"], dict):
        rest = [k for k in data if k != "train"]
        if rest:
            raise ConfigError(f"{path}: put every key under [train] or none; found {', '.join(rest)} outside it")
        data = data["train"]
    out = {}
    for k, v in data.items():
        key = k.replace("-", "_")
        if isinstance(v, dict):
            raise ConfigError(f"{path}: unexpected table [{k}]; the keys are flat, e.g. lr = 0.01")
        if key not in DEFAULTS:
            raise ConfigError(f"{k} (in {path}): unknown key{_suggest(key, DEFAULTS)}; allowed keys: "
                              f"{', '.join(DEFAULTS)}")
        out[key] = v
    return out


def resolve(file_values=None, flag_values=None, source="the config file"):
    """Defaults < ``file_values`` < ``flag_values``; every value validated, cross-checks done."""
    file_values, flag_values = dict(file_values or {}), dict(flag_values or {})
    chk = _Checker(source)
    cfg, origin = dict(DEFAULTS), dict.fromkeys(DEFAULTS, "default")
    for values, where in ((file_values, "file"), (flag_values, "flag")):
        for k, v in values.items():
            if k not in DEFAULTS:
                chk.fail(k, where, f"unknown setting{_suggest(k, DEFAULTS)}; allowed: {', '.join(DEFAULTS)}")
            cfg[k], origin[k] = v, where
    for k in DEFAULTS:
        cfg[k] = _check_field(k, cfg[k], lambda msg, k=k: chk.fail(k, origin[k], msg))
    _cross_check(cfg, origin, chk)
    if cfg["lr"] is None:
        cfg["lr"] = default_lr(cfg["optimizer"])
    if cfg["weight_decay"] is None:
        cfg["weight_decay"] = 0.01 if cfg["optimizer"] == "adamw" else 0.0
    return cfg


def _cross_check(cfg, origin, chk):
    opt = cfg["optimizer"]
    for key, allowed in _OPTIMIZER_ONLY.items():
        if origin[key] != "default" and cfg[key] != DEFAULTS[key] and opt not in allowed:
            chk.fail(key, origin[key], f"applies to --optimizer {' or '.join(allowed)} only, not {opt}")
    if cfg["nesterov"] and cfg["momentum"] <= 0:
        chk.fail("nesterov", origin["nesterov"], "Nesterov momentum needs --momentum > 0 (e.g. 0.9)")
    ds = cfg["dataset"]
    is_csv = ds.startswith("csv:")
    if not is_csv:
        from ..data.datasets import names

        if ds not in names():
            chk.fail("dataset", origin["dataset"],
                     f"unknown dataset {ds!r}{_suggest(ds, names())}; allowed: {', '.join(names())}, or csv:PATH")
    elif len(ds) == 4:
        chk.fail("dataset", origin["dataset"], "csv: needs a path, e.g. --dataset csv:data/houses.csv --target price")
    elif not os.path.exists(ds[4:]):
        chk.fail("dataset", origin["dataset"], f"CSV file not found: {ds[4:]}")
    for key in ("target", "task"):
        if cfg[key] is not None and not is_csv:
            chk.fail(key, origin[key], "applies to --dataset csv:PATH only")
    from ..data.datasets import PLAYGROUND, REAL

    generated = not is_csv and ds not in REAL
    for key in ("noise", "n_samples", "features"):
        if cfg[key] is not None and not generated:
            chk.fail(key, origin[key], f"applies to the generated 2-D sets only, not to {ds}")
    if cfg["n_classes"] is not None and ds not in ("spiral_k", "blobs"):
        chk.fail("n_classes", origin["n_classes"], "applies to --dataset spiral_k or blobs only")
    if cfg["model"] == "cnn" and ds not in IMAGES:
        chk.fail("model", origin["model"], f"a CNN needs images; {ds} has none (--model cnn takes --dataset "
                                           f"{', '.join(IMAGES)})")
    if cfg["augment"] and ds != "digits":
        chk.fail("augment", origin["augment"], "augmentation (pixel shifts and noise) is for --dataset digits only")
    task = PLAYGROUND.get(ds, REAL.get(ds, (None, None)))[1]
    regression = task == "regression"
    if cfg["loss"] in ("cross_entropy", "bce") and (regression or cfg["task"] == "regression"):
        chk.fail("loss", origin["loss"], f"{cfg['loss']} is a classification loss; {ds} is a regression task: use "
                                         f"mse, l1 or huber")
    if cfg["loss"] in ("mse", "l1", "huber") and not regression and not is_csv:
        chk.fail("loss", origin["loss"], f"{cfg['loss']} is a regression loss; {ds} is a classification task: "
                                         f"use cross_entropy (or bce for two classes)")
    if cfg["early_stopping"] and cfg["epochs"] == 0:
        chk.fail("early_stopping", origin["early_stopping"], "needs --epochs > 0")

"""Exports: the trained model as a chainrule checkpoint, the data as CSV, and a Python script that
reproduces the run with the library (same data, seed, network, initialisation, loss, optimizer and
training rule, so it reaches the playground's loss; tests/playground/test_export.py runs it).

The script replays the *current* settings from epoch 0; mid-run changes (a new learning rate at epoch 50,
a weight edited by hand) are not part of it.
"""

from __future__ import annotations

import base64
import io

import chainrule as cr
from chainrule.nn import activation_registry

from . import model as M

DATASET_CALLS = {
    "classification": "datasets.{fn}(500, {noise}, SEED)",
    "regression": "datasets.{fn}(1200, {noise}, SEED)",
    "multiclass": "datasets.{fn}(n_classes={k}, n_samples=500, noise={noise}, seed=SEED)",
}
INIT_CODE = {
    "tf": ("TF Playground's: W ~ U(-0.5, 0.5), b = 0.1", "nn.init.uniform_(layer.weight, -0.5, 0.5, generator=g)"),
    "zeros": ("all zeros: every neuron of a layer stays identical (symmetry is never broken)",
              "nn.init.zeros_(layer.weight)"),
    "small": ("small random: W ~ N(0, 0.01^2)", "nn.init.normal_(layer.weight, 0.0, 0.01, generator=g)"),
    "lecun": ("LeCun: W ~ N(0, 1/fan_in)", "nn.init.lecun_normal_(layer.weight, generator=g)"),
    "xavier": ("Xavier/Glorot: W ~ U(-a, a), a = sqrt(6/(fan_in + fan_out))",
               "nn.init.xavier_uniform_(layer.weight, generator=g)"),
    "he": ("He/Kaiming: W ~ N(0, 2/fan_in)",
           "nn.init.kaiming_normal_(layer.weight, nonlinearity=\"relu\", generator=g)"),
}
LOSS_CODE = {
    "tanh": "mse = nn.MSELoss()\n\n\ndef loss_fn(output, target):\n"
            "    return 0.5 * mse(output, target)  # TF Playground's 1/2 (o - t)^2, averaged over the batch\n",
    "linear": "mse = nn.MSELoss()\n\n\ndef loss_fn(output, target):\n"
              "    return 0.5 * mse(output, target)  # TF Playground's 1/2 (o - t)^2, averaged over the batch\n",
    "logit": "bce = nn.BCEWithLogitsLoss()\n\n\ndef loss_fn(logit, target):\n"
             "    return bce(logit, (target + 1) * 0.5)  # labels -1/+1 -> 0/1\n",
    "softmax-ce": "loss_fn = nn.CrossEntropyLoss()  # softmax + negative log-likelihood of the class\n",
    "softmax-mse": "EYE = np.eye({k}, dtype=np.float32)\n\n\ndef loss_fn(logits, labels):\n"
                   "    target = cr.from_numpy(EYE[labels.numpy()])  # one-hot\n"
                   "    return ((logits.softmax(dim=1) - target) ** 2).sum(dim=1).mean() * 0.5\n",
}
OPT_CODE = {
    "sgd": "optim.SGD(model.parameters(), lr={lr})",
    "momentum": "optim.SGD(model.parameters(), lr={lr}, momentum={momentum})",
    "nesterov": "optim.SGD(model.parameters(), lr={lr}, momentum={momentum}, nesterov=True)",
    "adagrad": "optim.Adagrad(model.parameters(), lr={lr})",
    "rmsprop": "optim.RMSprop(model.parameters(), lr={lr}, alpha={alpha})",
    "adam": "optim.Adam(model.parameters(), lr={lr}, betas=({beta1}, {beta2}))",
}
SCHEDULE_CODE = {
    "none": "return LR",
    "step": "return LR * {gamma} ** (epoch // {stepSize})  # StepLR",
    "exp": "return LR * {gamma} ** epoch  # ExponentialLR",
    "cosine": "return LR * (1 + np.cos(np.pi * epoch / {tMax})) / 2  # CosineAnnealingLR",
}


def act_code(name: str) -> str:
    """The activation as the script writes it: its nn class (from nn.activation_registry) with its defaults."""
    return f"nn.{activation_registry.get(name).module.__name__}()"


def script_text(cfg: dict, epochs: int, resets: int = 0, points=None) -> str:
    """The reproducing script. ``points`` = (train, test) lists of (x1, x2, label) for own data."""
    problem, kind = cfg["problem"], M.output_kind(cfg)
    names = M.feature_names(cfg)
    L = len(cfg["networkShape"])
    acts = [a or cfg["activation"] for a in M.per_layer(cfg["layerActivations"], L, "")]
    bns, drops = M.per_layer(cfg["batchNorm"], L, False), M.per_layer(cfg["dropout"], L, 0.0)
    layers, fan_in = [], len(names)
    for width, act, bn, p in zip(cfg["networkShape"], acts, bns, drops):
        row = [f"nn.Linear({fan_in}, {width})"] + ([f"nn.BatchNorm1d({width})"] if bn else []) + [act_code(act)]
        layers.append(", ".join(row + ([f"nn.Dropout({p})"] if p > 0 else [])) + ",")
        fan_in = width
    layers.append(f"nn.Linear({fan_in}, {M.n_outputs(cfg)})" + (", nn.Tanh()," if kind == "tanh" else ","))
    target_code = ("labels.astype(np.int64)" if problem == "multiclass"
                   else "labels.astype(np.float32).reshape(-1, 1)")
    if points is None:
        fn = {**M.CLASSIFICATION_SETS, **M.REGRESSION_SETS, **M.MULTICLASS_SETS}[M.dataset_name(cfg)]
        call = DATASET_CALLS[problem].format(fn=fn, noise=cfg["noise"] / 100, k=cfg["nClasses"])
        data_code = (f"X, labels = {call}  # shuffled points\n"
                     f"n_train = len(X) * {cfg['percTrainData']} // 100  # the first {cfg['percTrainData']}% train")
    else:
        train, test = points
        rows = ",\n    ".join(f"({x:.4f}, {y:.4f}, {t:g})" for x, y, t in list(train) + list(test))
        data_code = (f"POINTS = np.array([\n    {rows}\n], dtype=np.float64).reshape(-1, 3)  # your own data\n"
                     f"X, labels = POINTS[:, :2], POINTS[:, 2]\nn_train = {len(train)}")
    loss_key = kind if kind != "softmax" else f"softmax-{M.effective_loss(cfg)}"
    init_doc, init_code = INIT_CODE[M.init_scheme(cfg)]
    reg, rate = cfg["regularization"], cfg["regularizationRate"]
    regularising = reg != "none" and rate > 0
    reg_code = ""
    if regularising:
        update = ("w -= lr * RATE * w_old  # L2: R(w) = w^2 / 2" if reg == "L2" else
                  "new = w - lr * RATE * np.sign(w_old)  # L1: R(w) = |w|\n"
                  "            d |= (w * new) < 0  # pushed across 0 by the regularisation: a dead link\n"
                  "            w[...] = new\n"
                  "            w[d] = 0.0")
        reg_code = ("        # TF Playground's regularisation step (weights only, never biases)\n"
                    "        for lin, w_old, d in zip(linears, before, dead):\n"
                    "            w = lin.weight.detach().numpy()  # the weights' memory, as a NumPy array\n"
                    f"            {update}\n")
    shuffle_code = ("    perm = shuffle_rng.permutation(len(x))  # reshuffled every epoch\n"
                    "    x, y = x[perm], y[perm]\n") if cfg["shuffle"] else ""
    return TEMPLATE.format(
        summary=summary(cfg), epochs=epochs, seed=cfg["seed"], resets=resets, data_code=data_code,
        features=names, target_code=target_code, layers="\n    ".join(layers), init_doc=init_doc,
        init_code=init_code, bias=0.1 if M.init_scheme(cfg) == "tf" else 0.0,
        loss_code=LOSS_CODE[loss_key].format(k=cfg["nClasses"]),
        optimizer=OPT_CODE[cfg["optimizer"]].format(lr=cfg["learningRate"], **cfg),
        lr=cfg["learningRate"], schedule=SCHEDULE_CODE[cfg["schedule"]].format(**cfg),
        batch=cfg["batchSize"], rate=rate, shuffle_code=shuffle_code,
        before="        before = [lin.weight.detach().numpy().copy() for lin in linears]\n" if regularising else "",
        reg_code=reg_code)


def summary(cfg) -> str:
    act = cfg["activation"]
    return (f"{M.dataset_name(cfg)} ({cfg['problem']}, noise {cfg['noise']}), inputs {M.feature_names(cfg)}, "
            f"hidden layers {cfg['networkShape']} {act}, {cfg['optimizer']} lr {cfg['learningRate']}, "
            f"batch {cfg['batchSize']}, loss {M.effective_loss(cfg)}, regularisation {cfg['regularization']}")


TEMPLATE = '''"""Reproduce a chainrule playground run: {summary}.

    python playground_run.py        # trains {epochs} epochs and prints the training and test loss

Generated by `chainrule playground` (Export > Python script). Load its exported checkpoint with
model.load_state_dict(cr.load("playground.crpt")).
"""
import numpy as np

import chainrule as cr
from chainrule import nn, optim
from chainrule.data import datasets

EPOCHS = {epochs}
SEED = {seed}
LR = {lr}
BATCH = {batch}
RATE = {rate}

# ---- data: TF Playground's generators, the first points for training, the rest for testing
{data_code}
inputs = datasets.feature_map(X, {features}).astype(np.float32)
targets = {target_code}
x_train, y_train = inputs[:n_train], targets[:n_train]
x_test, y_test = inputs[n_train:], targets[n_train:]

# ---- network
model = nn.Sequential(
    {layers}
)
linears = [m for m in model if isinstance(m, nn.Linear)]
# initialisation: {init_doc}
g = cr.Generator().manual_seed(SEED * 1_000_003 + {resets})
for layer in linears:
    if layer.weight.numel():
        {init_code}
    nn.init.constant_(layer.bias, {bias})

# ---- loss and optimizer
{loss_code}
optimizer = {optimizer}


def lr_at(epoch):
    {schedule}


# ---- training: TF Playground's rule. One epoch = one pass in order; an update every BATCH points with
# the batch-mean gradient; points left after the last full batch join the next epoch's first batch.
dead = [np.zeros(lin.weight.shape, bool) for lin in linears]
cr.manual_seed(SEED * 1_000_003 + {resets} + 7)  # the dropout masks' stream
shuffle_rng = np.random.default_rng([SEED, {resets}, 1])
carry = None
for epoch in range(EPOCHS):
    lr = lr_at(epoch)
    for group in optimizer.param_groups:
        group["lr"] = lr
    model.train()
    x, y = x_train, y_train
{shuffle_code}    m = len(x) // BATCH
    bounds = [(k * BATCH, (k + 1) * BATCH) for k in range(m)] or [(0, len(x))]
    for k, (i, j) in enumerate(bounds):
        xb, yb = x[i:j], y[i:j]
        if k == 0 and carry is not None:
            xb, yb = np.concatenate([carry[0], xb]), np.concatenate([carry[1], yb])
{before}        optimizer.zero_grad()
        loss = loss_fn(model(cr.from_numpy(xb)), cr.from_numpy(yb))
        loss.backward()
        optimizer.step()
{reg_code}    carry = (x[m * BATCH:], y[m * BATCH:]) if m and m * BATCH < len(x) else None

model.eval()
with cr.no_grad():
    train_loss = loss_fn(model(cr.from_numpy(x_train)), cr.from_numpy(y_train)).item()
    test_loss = float("nan")
    if len(x_test):
        test_loss = loss_fn(model(cr.from_numpy(x_test)), cr.from_numpy(y_test)).item()
print(f"epoch {{EPOCHS}}: training loss {{train_loss:.4f}}, test loss {{test_loss:.4f}}")
'''


def checkpoint_bytes(model) -> bytes:
    """``chainrule.save(model.state_dict(), ...)`` as bytes (a zip of arrays; no pickle)."""
    buf = io.BytesIO()
    cr.save(model.state_dict(), buf)
    return buf.getvalue()


def data_csv(train, test) -> str:
    lines = ["x1,x2,label,split"]
    lines += [f"{x:.4f},{y:.4f},{t:g},train" for x, y, t in train]
    lines += [f"{x:.4f},{y:.4f},{t:g},test" for x, y, t in test]
    return "\n".join(lines) + "\n"


def export_file(session, what: str) -> dict:
    """The ``file`` message for an export request."""
    cfg = session.cfg
    if what == "checkpoint":
        if not hasattr(cr, "save"):
            from .protocol import ProtocolError
            raise ProtocolError("exporting a checkpoint needs chainrule.save, which this chainrule lacks", "what")
        data, name, mime = checkpoint_bytes(session.net.model), "playground.crpt", "application/octet-stream"
    elif what == "script":
        custom = cfg[session._dataset_key()] == "custom"
        points = (session.train_pts, session.test_pts) if custom else None
        text = script_text(cfg, max(session.epoch, 1), session.resets, points)
        data, name, mime = text.encode(), "playground_run.py", "text/x-python"
    else:
        data, name, mime = data_csv(session.train_pts, session.test_pts).encode(), "playground_data.csv", "text/csv"
    return {"type": "file", "name": name, "mime": mime, "base64": base64.b64encode(data).decode("ascii")}

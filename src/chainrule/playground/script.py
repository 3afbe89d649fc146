"""The exported Python script: it trains the playground's run again with the library (same data, seed,
network, initialisation, loss, optimizer and training rule) and replays the changes made while it trained
(replay.py), so it reaches the playground's losses; what it cannot replay is written at its top.
tests/playground/test_export.py runs it."""

from __future__ import annotations

from chainrule.nn import activation_registry

from . import model as M
from .replay import Replay

DATASET_CALLS = {
    "classification": "datasets.{fn}(500, {noise}, seed)",
    "regression": "datasets.{fn}(1200, {noise}, seed)",
    "multiclass": "datasets.{fn}(n_classes={k}, n_samples=500, noise={noise}, seed=seed)",
}
INIT_CODE = {
    "tf": ("TF Playground's: W ~ U(-0.5, 0.5), b = 0.1", "nn.init.uniform_(layer.weight, -0.5, 0.5, generator=g)"),
    "zeros": ("all zeros: every neuron of a layer stays identical (symmetry is never broken)",
              "nn.init.zeros_(layer.weight)"),
    "small": ("small random: W ~ N(0, 0.01^2)", "nn.init.normal_(layer.weight, 0.0, 0.01, generator=g)"),
    "large": ("large random: W ~ N(0, 4^2) (tanh and sigmoid units start saturated)",
              "nn.init.normal_(layer.weight, 0.0, 4.0, generator=g)"),
    "lecun": ("LeCun: W ~ N(0, 1/fan_in)", "nn.init.lecun_normal_(layer.weight, generator=g)"),
    "xavier": ("Xavier/Glorot: W ~ U(-a, a), a = sqrt(6/(fan_in + fan_out))",
               "nn.init.xavier_uniform_(layer.weight, generator=g)"),
    "he": ("He/Kaiming: W ~ N(0, 2/fan_in)",
           "nn.init.kaiming_normal_(layer.weight, nonlinearity=\"relu\", generator=g)"),
}
_HALF_MSE = ("mse = nn.MSELoss()\n\n\ndef loss_fn(output, target):\n"
             "    return 0.5 * mse(output, target)  # TF Playground's 1/2 (o - t)^2, averaged over the batch\n")
LOSS_CODE = {
    "tanh": _HALF_MSE, "linear": _HALF_MSE,
    "logit": "bce = nn.BCEWithLogitsLoss()\n\n\ndef loss_fn(logit, target):\n"
             "    return bce(logit, (target + 1) * 0.5)  # labels -1/+1 -> 0/1\n",
    "softmax-ce": "loss_fn = nn.CrossEntropyLoss()  # softmax + negative log-likelihood of the class\n",
    "softmax-mse": "EYE = np.eye({k}, dtype=np.float32)\n\n\ndef loss_fn(logits, labels):\n"
                   "    target = cr.from_numpy(EYE[labels.numpy()])  # one-hot\n"
                   "    return ((logits.softmax(dim=1) - target) ** 2).sum(dim=1).mean() * 0.5\n",
}
OPT_CODE = {
    "sgd": "optim.SGD(model.parameters(), lr=LR)",
    "momentum": "optim.SGD(model.parameters(), lr=LR, momentum={momentum})",
    "nesterov": "optim.SGD(model.parameters(), lr=LR, momentum={momentum}, nesterov=True)",
    "adagrad": "optim.Adagrad(model.parameters(), lr=LR)",
    "rmsprop": "optim.RMSprop(model.parameters(), lr=LR, alpha={alpha})",
    "adam": "optim.Adam(model.parameters(), lr=LR, betas=({beta1}, {beta2}))",
}
SCHEDULE_CODE = {
    "none": "return LR",
    "step": "return LR * {gamma} ** (epoch // {stepSize})  # StepLR",
    "exp": "return LR * {gamma} ** epoch  # ExponentialLR",
    "cosine": "return LR * (1 + np.cos(np.pi * epoch / {tMax})) / 2  # CosineAnnealingLR",
}
# How each replayed change is applied in the script (``apply_change``): the body of its branch.
CHANGE_CODE = {
    "learningRate": "LR = args[0]",
    "batchSize": "BATCH = args[0]",
    "regularizationRate": "RATE = args[0]",
    "momentum": "for group in optimizer.param_groups:\n            group[\"momentum\"] = args[0]",
    "beta1": "for group in optimizer.param_groups:\n            group[\"betas\"] = (args[0], group[\"betas\"][1])",
    "beta2": "for group in optimizer.param_groups:\n            group[\"betas\"] = (group[\"betas\"][0], args[0])",
    "alpha": "for group in optimizer.param_groups:\n            group[\"alpha\"] = args[0]",
    "regenerate": "x_train, y_train, x_test, y_test = make_data(args[0])  # Regenerate: new data, same network\n"
                  "        carry = None",
    "weight": "layer, row, col, value = args  # a weight you set by hand\n        with cr.no_grad():\n"
              "            linears[layer].weight[row, col] = value\n        dead[layer][row, col] = False",
    "bias": "layer, row, _, value = args  # a bias you set by hand\n        with cr.no_grad():\n"
            "            linears[layer].bias[row] = value",
}


def act_code(name: str) -> str:
    """The activation as the script writes it: its nn class (from nn.activation_registry) with its defaults."""
    return f"nn.{activation_registry.get(name).module.__name__}()"


def script_text(cfg: dict, epochs: int, resets: int = 0, points=None, replay: Replay | None = None,
                shown=None) -> str:
    """The reproducing script for a run that started from ``cfg`` (with ``resets`` Resets before it).
    ``points`` = (train, test) lists of (x1, x2, label) for own data; ``replay`` the changes made while it
    trained; ``shown`` = (training loss, test loss) the playground showed, printed beside the script's own."""
    problem, kind = cfg["problem"], M.output_kind(cfg)
    changes = replay.changes() if replay else {}
    skipped = replay.skipped if replay else []
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
        data_code = DATA_FN.format(perc=cfg["percTrainData"], call=call, features=names, target_code=target_code)
    else:
        train, test = points
        rows = ",\n    ".join(f"({x:.4f}, {y:.4f}, {t:g})" for x, y, t in list(train) + list(test))
        data_code = OWN_DATA.format(rows=rows, n_train=len(train), features=names, target_code=target_code)
    loss_key = kind if kind != "softmax" else f"softmax-{M.effective_loss(cfg)}"
    init_doc, init_code = INIT_CODE[M.init_scheme(cfg)]
    reg, rate = cfg["regularization"], cfg["regularizationRate"]
    rate_changes = any(c[0] == "regularizationRate" for cs in changes.values() for c in cs)
    regularising = reg != "none" and (rate > 0 or rate_changes)
    reg_code = ""
    if regularising:
        update = ("w -= lr * RATE * w_old  # L2: R(w) = w^2 / 2" if reg == "L2" else
                  "new = w - lr * RATE * np.sign(w_old)  # L1: R(w) = |w|\n"
                  "d |= (w * new) < 0  # pushed across 0 by the regularisation: a dead link\n"
                  "w[...] = new")
        reg_code = ("        # TF Playground's regularisation step (weights only, never biases)\n"
                    "        for lin, w_old, d in zip(linears, before, dead):\n"
                    "            w = lin.weight.detach().numpy()  # shares the weight's memory\n"
                    + "".join(f"            {line}\n" for line in update.splitlines())
                    + "            w[d] = 0.0\n")
    shuffle_code = ("    perm = shuffle_rng.permutation(len(x))  # reshuffled every epoch\n"
                    "    x, y = x[perm], y[perm]\n") if cfg["shuffle"] else ""
    text = TEMPLATE.format(
        summary=summary(cfg), epochs=epochs, seed=cfg["seed"], resets=resets, data_code=data_code,
        layers="\n    ".join(layers), init_doc=init_doc,
        init_code=init_code, bias=0.1 if M.init_scheme(cfg) == "tf" else 0.0,
        loss_code=LOSS_CODE[loss_key].format(k=cfg["nClasses"]),
        optimizer=OPT_CODE[cfg["optimizer"]].format(**cfg),
        lr=cfg["learningRate"], schedule=SCHEDULE_CODE[cfg["schedule"]].format(**cfg),
        batch=cfg["batchSize"], rate=rate, shuffle_code=shuffle_code,
        before="        before = [lin.weight.detach().numpy().copy() for lin in linears]\n" if regularising else "",
        reg_code=reg_code, replay_doc=_replay_doc(changes, skipped), changes=_changes_code(changes),
        apply_changes="    for change in CHANGES.get(epoch, []):\n        apply_change(change)\n" if changes else "",
        final_changes=("for change in CHANGES.get(EPOCHS, []):  # changes made after the last epoch\n"
                       "    apply_change(change)\n") if changes else "",
        shown=_shown_code(shown, skipped))
    return text


def _replay_doc(changes, skipped) -> str:
    lines = []
    if changes:
        n = sum(len(c) for c in changes.values())
        lines.append(f"It replays the {n} change(s) you made while it trained (CHANGES below), at their epochs.")
    if skipped:
        lines.append("NOT REPLAYED, so this script will not reach the playground's numbers:")
        lines += [f"  - {s}" for s in skipped]
    return ("\n" + "\n".join(lines) + "\n") if lines else ""


def _changes_code(changes) -> str:
    if not changes:
        return ""
    rows = "\n".join(f"    {epoch}: {[tuple(c) for c in cs]!r}," for epoch, cs in sorted(changes.items()))
    kinds = sorted({c[0] for cs in changes.values() for c in cs})
    branches = "".join(f"    {'if' if i == 0 else 'elif'} what == {k!r}:\n        {CHANGE_CODE[k]}\n"
                       for i, k in enumerate(kinds))
    return ("\n# ---- what you changed while it trained, replayed before the same epoch\n"
            f"CHANGES = {{\n{rows}\n}}\n\n\n"
            "def apply_change(change):\n    global LR, BATCH, RATE, x_train, y_train, x_test, y_test, carry\n"
            f"    what, *args = change\n{branches}\n")


def _shown_code(shown, skipped) -> str:
    if shown is None or shown[0] is None:
        return ""
    test = "nan" if shown[1] is None else f"{shown[1]:.4f}"
    note = " (changes not replayed: see the top of this script)" if skipped else ""
    return f'print("the playground showed: training loss {shown[0]:.4f}, test loss {test}{note}")\n'



def summary(cfg) -> str:
    act = cfg["activation"]
    return (f"{M.dataset_name(cfg)} ({cfg['problem']}, noise {cfg['noise']}), inputs {M.feature_names(cfg)}, "
            f"hidden layers {cfg['networkShape']} {act}, {cfg['optimizer']} lr {cfg['learningRate']}, "
            f"batch {cfg['batchSize']}, loss {M.effective_loss(cfg)}, regularisation {cfg['regularization']}")


DATA_FN = '''def make_data(seed):
    """TF Playground's generator (shuffled points): the first {perc}% train, the rest test."""
    X, labels = {call}
    n_train = len(X) * {perc} // 100
    inputs = datasets.feature_map(X, {features}).astype(np.float32)
    targets = {target_code}
    return inputs[:n_train], targets[:n_train], inputs[n_train:], targets[n_train:]


x_train, y_train, x_test, y_test = make_data(SEED)'''

OWN_DATA = '''POINTS = np.array([
    {rows}
], dtype=np.float64).reshape(-1, 3)  # your own data: x1, x2, label
X, labels = POINTS[:, :2], POINTS[:, 2]
n_train = {n_train}  # the first {n_train} points train, the rest test
inputs = datasets.feature_map(X, {features}).astype(np.float32)
targets = {target_code}
x_train, y_train = inputs[:n_train], targets[:n_train]
x_test, y_test = inputs[n_train:], targets[n_train:]'''

TEMPLATE = '''"""Reproduce a chainrule playground run: {summary}.

    python playground_run.py        # trains {epochs} epochs and prints the training and test loss

Generated by `chainrule playground` (Export > Python script). Load its exported checkpoint with
model.load_state_dict(cr.load("playground.crpt")).
{replay_doc}"""
import numpy as np

import chainrule as cr
from chainrule import nn, optim
from chainrule.data import datasets

EPOCHS = {epochs}
SEED = {seed}
LR = {lr}
BATCH = {batch}
RATE = {rate}

# ---- data
{data_code}

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

{changes}
# ---- training: TF Playground's rule. One epoch = one pass in order; an update every BATCH points with
# the batch-mean gradient; points left after the last full batch join the next epoch's first batch.
dead = [np.zeros(lin.weight.shape, bool) for lin in linears]
cr.manual_seed(SEED * 1_000_003 + {resets} + 7)  # the dropout masks' stream
shuffle_rng = np.random.default_rng([SEED, {resets}, 1])
carry = None
for epoch in range(EPOCHS):
{apply_changes}    lr = lr_at(epoch)
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
{final_changes}
model.eval()
with cr.no_grad():
    train_loss = loss_fn(model(cr.from_numpy(x_train)), cr.from_numpy(y_train)).item()
    test_loss = float("nan")
    if len(x_test):
        test_loss = loss_fn(model(cr.from_numpy(x_test)), cr.from_numpy(y_test)).item()
print(f"epoch {{EPOCHS}}: training loss {{train_loss:.4f}}, test loss {{test_loss:.4f}}")
{shown}'''

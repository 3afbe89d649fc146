"""Writes the lecture notebooks of examples/notebooks/ (run it after editing a cell here; outputs are not kept).

Each notebook is one lecture section. A cell tagged "rich" must show a picture or a page when run (a figure,
a History, ...): tests/test_notebooks.py executes every notebook with nbclient and checks that, and that no
cell fails.
"""

import pathlib

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = pathlib.Path(__file__).parent


def md(text):
    return new_markdown_cell(text.strip())


def code(text, rich=False, tags=()):
    cell = new_code_cell(text.strip())
    tags = list(tags) + (["rich"] if rich else [])
    if tags:
        cell.metadata["tags"] = tags
    return cell


EXPLAIN_SPOT = """# The graph shows itself: the stepping page inline (forward, then backward, gate by gate; values above
# the wires, gradients below). g._repr_svg_() is the circuit alone, drawn by chainrule (no Graphviz).
g"""

NOTEBOOKS = {
    "01_backprop.ipynb": [
        md("""
# Backpropagation is the chain rule

The lecture's circuit f(x, y, z) = (x + y)·z at x = −2, y = 5, z = −4. First by hand, then by chainrule's
engine, then drawn gate by gate with `chainrule.explain`."""),
        md("""
## By hand

Forward: q = x + y = 3, f = q·z = −12. Backward: ∂f/∂z = q = 3, ∂f/∂q = z = −4, and through the add gate
∂f/∂x = ∂f/∂q · ∂q/∂x = −4 · 1 = −4, the same for y."""),
        code("""
x, y, z = -2.0, 5.0, -4.0
q = x + y
f = q * z
df_dq, df_dz = z, q
df_dx, df_dy = df_dq * 1.0, df_dq * 1.0
f, (df_dx, df_dy, df_dz)"""),
        md("## With chainrule's engine"),
        code("""
import chainrule as cr

x = cr.tensor(-2.0, requires_grad=True)
y = cr.tensor(5.0, requires_grad=True)
z = cr.tensor(-4.0, requires_grad=True)
f = (x + y) * z
f.backward()
f, x.grad, y.grad, z.grad"""),
        md("""
## Gate by gate: `chainrule.explain`

`explain.formula` runs the formula on the real engine and keeps every gate's value and gradient."""),
        code("""
import chainrule.explain as ex

g = ex.formula("q = x + y; f = q * z", x=-2, y=5, z=-4)
print(ex.text(g))"""),
        code(EXPLAIN_SPOT, rich=True, tags=["explain-graph"]),
        md("""
## The sigmoid neuron

σ(w0·x0 + w1·x1 + w2) with w = (2, −3, −3), x = (−1, −2): the gradients the lecture derives by hand."""),
        code("""
w = cr.tensor([2.0, -3.0, -3.0], requires_grad=True)
xs = cr.tensor([-1.0, -2.0], requires_grad=True)
out = 1 / (1 + (-(w[0] * xs[0] + w[1] * xs[1] + w[2])).exp())
out.backward()
round(out.item(), 2), w.grad, xs.grad"""),
        md("""
## Checking a gradient numerically

A central difference (f(x + h) − f(x − h)) / 2h agrees with backprop to about h²."""),
        code("""
from chainrule.autograd import gradcheck

a = cr.randn(4, 3, dtype=cr.float64, requires_grad=True)
gradcheck(lambda t: (t.tanh() * t).sum(), [a])"""),
    ],
    "02_activations_and_init.ipynb": [
        md("""
# Activations and initialisation

The nonlinearities and their derivatives (computed by autograd), then what the initial weights do to the
activations of a deep network. chainrule's figures show themselves: no `%matplotlib inline` needed."""),
        code("""
import chainrule as cr
from chainrule import nn, plotting

x = cr.linspace(-5, 5, 401, requires_grad=True)
acts = {"sigmoid": cr.sigmoid, "tanh": cr.tanh, "relu": cr.relu, "leaky_relu": nn.functional.leaky_relu,
        "gelu": nn.functional.gelu}
fig, (ax, dax) = plotting.subplots(1, 2, figsize=(9, 3.2), layout="constrained")
for name, fn in acts.items():
    x.grad = None
    y = fn(x)
    y.sum().backward()
    ax.plot(x.detach().numpy(), y.detach().numpy(), label=name)
    dax.plot(x.detach().numpy(), x.grad.numpy(), label=name)
ax.set_title("activation")
dax.set_title("derivative (by autograd)")
ax.legend()
fig""", rich=True),
        md("""
The sigmoid's derivative is at most 1/4: through ten sigmoid layers a gradient shrinks by at least 4¹⁰.
Next: the standard deviation of each layer's activations in a 10-layer tanh network, for each
initialisation scheme."""),
        code("""
def activation_stds(init, depth=10, width=256, seed=0):
    cr.manual_seed(seed)
    h = cr.randn(512, width)
    stds = []
    with cr.no_grad():
        for _ in range(depth):
            layer = nn.Linear(width, width)
            init(layer.weight)
            nn.init.zeros_(layer.bias)
            h = cr.tanh(layer(h))
            stds.append(h.std().item())
    return stds

schemes = {"small random N(0, 0.01²)": lambda w: nn.init.normal_(w, 0.0, 0.01),
           "large N(0, 1)": lambda w: nn.init.normal_(w, 0.0, 1.0),
           "Xavier": nn.init.xavier_normal_,
           "LeCun": nn.init.lecun_normal_}
results = {name: activation_stds(fn) for name, fn in schemes.items()}
fig, ax = plotting.subplots(figsize=(6, 3.2), layout="constrained")
for name, stds in results.items():
    ax.plot(range(1, 11), stds, marker="o", label=name)
ax.set_yscale("log")
ax.set_xlabel("layer")
ax.set_ylabel("std of tanh activations")
ax.legend()
fig""", rich=True),
        md("""
Small weights shrink the signal by the same factor at every layer, so the last layers see almost nothing
(and backprop sends almost nothing back). N(0, 1) weights saturate every tanh at ±1, where its derivative is
0. Xavier and LeCun keep a usable spread through all ten layers; here they are the same line, because every
layer has fan_in = fan_out = 256, where 2/(fan_in + fan_out) = 1/fan_in."""),
        code("""
{name: round(stds[-1], 4) for name, stds in results.items()}"""),
    ],
    "03_optimizers.ipynb": [
        md("""
# Optimizers

The same network and data, trained with SGD, SGD with momentum, RMSprop and Adam. `fit` shows a progress bar
while it trains (`verbose=0` turns it off) and returns a `History`, which shows its learning curves."""),
        code("""
import chainrule as cr
from chainrule import data, nn, optim, plotting
from chainrule.train import fit

split = data.load("moons", seed=0)
def make_model():
    cr.manual_seed(0)
    return nn.Sequential(nn.Linear(2, 16), nn.Tanh(), nn.Linear(16, 16), nn.Tanh(), nn.Linear(16, 2))
split"""),
        code("""
model = make_model()
history = fit(model, nn.CrossEntropyLoss(), optim.Adam(model.parameters(), lr=0.01), split.train, split.val,
              epochs=30, metrics=["accuracy"], batch_size=32)
history""", rich=True),
        code("""
optimizers = {
    "SGD": lambda p: optim.SGD(p, lr=0.05),
    "SGD + momentum": lambda p: optim.SGD(p, lr=0.05, momentum=0.9),
    "RMSprop": lambda p: optim.RMSprop(p, lr=0.003),
    "Adam": lambda p: optim.Adam(p, lr=0.01),
}
histories = {}
for name, make in optimizers.items():
    m = make_model()
    histories[name] = fit(m, nn.CrossEntropyLoss(), make(m.parameters()), split.train, split.val, epochs=30,
                          metrics=["accuracy"], batch_size=32, verbose=0)
fig, (ax, vax) = plotting.subplots(1, 2, figsize=(9, 3.2), layout="constrained")
for name, h in histories.items():
    ax.plot(h.epoch, h["loss"], label=name)
    vax.plot(h.epoch, h["val_accuracy"], label=name)
ax.set_yscale("log")
ax.set_title("training loss")
vax.set_title("validation accuracy")
ax.legend()
fig""", rich=True),
        code("""
{name: (round(h["loss"][-1], 4), round(h["val_accuracy"][-1], 3)) for name, h in histories.items()}"""),
        md("""
Plain SGD at this learning rate is still at a loss of about 0.25 after 30 epochs, where momentum, RMSprop and
Adam are near 0.01: the same gradient, used better."""),
    ],
    "04_batchnorm_and_dropout.ipynb": [
        md("""
# Batch normalisation and dropout

A deep sigmoid network trains slowly: its gradients vanish. Batch norm re-centres and re-scales every layer's
pre-activations; dropout fights overfitting by training an ensemble of thinned networks."""),
        code("""
import chainrule as cr
from chainrule import data, nn, optim, plotting
from chainrule.nn.mlp import build_mlp
from chainrule.train import fit, plots

split = data.load("circle", noise=0.2, seed=0)

def train(batchnorm=False, dropout=0.0, epochs=25):
    cr.manual_seed(0)
    model = build_mlp([2, 32, 32, 32, 32, 2], "sigmoid", batchnorm=batchnorm, dropout=dropout)
    return fit(model, nn.CrossEntropyLoss(), optim.SGD(model.parameters(), lr=0.1, momentum=0.9), split.train,
               split.val, epochs=epochs, metrics=["accuracy"], batch_size=32, verbose=0)

plain, with_bn = train(), train(batchnorm=True)
with_bn""", rich=True),
        code("""
fig, ax = plotting.subplots(figsize=(6, 3.2), layout="constrained")
ax.plot(plain.epoch, plain["val_accuracy"], label="sigmoid MLP")
ax.plot(with_bn.epoch, with_bn["val_accuracy"], label="with batch norm")
ax.set_xlabel("epoch")
ax.set_ylabel("validation accuracy")
ax.legend()
fig""", rich=True),
        md("""
## Dropout

At training time each unit is kept with probability 1 − p and scaled by 1/(1 − p); at evaluation the layer
is the identity, so the expected activation is the same."""),
        code("""
drop = nn.Dropout(p=0.5)
x = cr.ones(8)
drop.train()
print("train:", drop(x))
drop.eval()
print("eval: ", drop(x))"""),
        code("""
with_dropout = train(dropout=0.2, epochs=25)
plots.learning_curves(with_dropout, title="sigmoid MLP with dropout 0.2")""", rich=True),
    ],
}


def main():
    for name, cells in NOTEBOOKS.items():
        nb = new_notebook(cells=cells, metadata={
            "kernelspec": {"display_name": "Python 3", "language": "python", "name": "python3"},
            "language_info": {"name": "python"}})
        nbformat.validate(nb)
        nbformat.write(nb, HERE / name)
        print("wrote", HERE / name)


if __name__ == "__main__":
    main()

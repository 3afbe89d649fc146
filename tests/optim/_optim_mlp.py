"""A small float64 MLP written twice, on chainrule tensors and on torch tensors from the same numbers,
to compare optimizer trajectories step by step."""

from __future__ import annotations

import numpy as np
import torch

import chainrule as cr
import chainrule.optim  # noqa: F401
from chainrule.nn import Parameter

SHAPES = [(8, 2), (8,), (8, 8), (8,), (1, 8), (1,), (3,)]  # the last one is never used: it gets no grad


def initial_arrays(seed=0):
    rng = np.random.default_rng(seed)
    params = [rng.standard_normal(s) * 0.7 for s in SHAPES]
    x = rng.standard_normal((16, 2))
    y = np.sin(x[:, :1] * 2) + 0.3 * x[:, 1:]
    return params, x, y


def make_params(arrays, lib):
    if lib == "cr":
        return [Parameter(cr.tensor(a.copy())) for a in arrays]
    return [torch.nn.Parameter(torch.tensor(a.copy())) for a in arrays]


def mlp_loss(params, x, y):
    w1, b1, w2, b2, w3, b3, _unused = params
    h = (x @ w1.T + b1).tanh()
    h = (h @ w2.T + b2).tanh()
    out = h @ w3.T + b3
    return ((out - y) ** 2).mean()


def groups_of(params, group_kwargs):
    """params split into groups: the first two parameters in group 0, the rest in group 1."""
    if group_kwargs is None:
        return params
    return [{"params": params[:2], **group_kwargs[0]}, {"params": params[2:], **group_kwargs[1]}]


class Run:
    """One optimizer on one copy of the MLP, for either library."""

    def __init__(self, lib, cls_name, kwargs, group_kwargs=None, seed=0, arrays=None):
        self.lib = lib
        arrays, x, y = arrays or initial_arrays(seed)
        self.params = make_params(arrays, lib)
        if lib == "cr":
            self.x, self.y = cr.tensor(x), cr.tensor(y)
            cls = getattr(cr.optim, cls_name)
        else:
            self.x, self.y = torch.tensor(x), torch.tensor(y)
            cls = getattr(torch.optim, cls_name)
        self.opt = cls(groups_of(self.params, group_kwargs), **kwargs)
        # a maximizing optimizer climbs -loss, so it trains the network instead of diverging (a diverging
        # run would amplify rounding differences until the comparison says nothing)
        self.sign = -1.0 if kwargs.get("maximize") else 1.0

    def step(self):
        self.opt.zero_grad()
        loss = mlp_loss(self.params, self.x, self.y) * self.sign
        loss.backward()
        self.opt.step()
        return loss.item()

    def arrays(self):
        return [np.array(p.detach().numpy() if self.lib == "torch" else p.numpy()) for p in self.params]


def state_arrays(opt, lib):
    """{param index: {state name: array}} from either library's state_dict()."""
    out = {}
    for i, st in opt.state_dict()["state"].items():
        out[i] = {k: np.asarray(v.detach().numpy() if lib == "torch" else v.numpy()) for k, v in st.items()}
    return out

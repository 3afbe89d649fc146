"""TEMPORARY stand-in for the few ``chainrule.nn`` pieces the playground uses, written with raw chainrule
tensors, for while ``chainrule.nn`` is still being built. model.py uses ``chainrule.nn`` when it exists."""

from __future__ import annotations

import numpy as np

import chainrule as cr
from chainrule.nn import Parameter


class Module:
    training = True

    def __call__(self, x):
        return self.forward(x)

    def parameters(self):
        return [p for m in self._modules() for p in vars(m).values() if isinstance(p, Parameter)]

    def _modules(self):
        return [self]

    def train(self, mode=True):
        for m in self._modules():
            m.training = mode
        return self

    def eval(self):
        return self.train(False)

    def state_dict(self):
        return {f"{i}.{k}": v for i, m in enumerate(self._modules()[1:]) for k, v in vars(m).items()
                if isinstance(v, Parameter)}


class Sequential(Module):
    def __init__(self, *mods):
        self.mods = list(mods)

    def __iter__(self):
        return iter(self.mods)

    def _modules(self):
        return [self, *self.mods]

    def forward(self, x):
        for m in self.mods:
            x = m(x)
        return x


class Linear(Module):
    def __init__(self, fan_in, fan_out):
        self.weight = Parameter(np.zeros((fan_out, fan_in), np.float32))
        self.bias = Parameter(np.zeros(fan_out, np.float32))

    def forward(self, x):
        return x @ self.weight.t() + self.bias


def _act(fn):
    return type(fn.__name__, (Module,), {"forward": lambda self, x: fn(x), "__init__": lambda self, *a: None})


Tanh = _act(lambda x: x.tanh())
ReLU = _act(lambda x: x.relu())
Sigmoid = _act(lambda x: x.sigmoid())
Identity = _act(lambda x: x)
LeakyReLU = _act(lambda x: cr.where(x > 0, x, x * 0.01))
ELU = _act(lambda x: cr.where(x > 0, x, x.clamp(max=0).exp() - 1))
Softplus = _act(lambda x: (x.clamp(max=20).exp() + 1).log())
GELU = _act(lambda x: x * (x * 1.702).sigmoid())
PReLU = LeakyReLU


class Dropout(Module):
    def __init__(self, p):
        self.p = p

    def forward(self, x):
        if not self.training or self.p == 0:
            return x
        keep = cr.from_numpy((np.random.random(x.shape) >= self.p).astype(np.float32) / (1 - self.p))
        return x * keep


class BatchNorm1d(Identity):
    pass


class MSELoss(Module):
    def forward(self, o, t=None):
        raise NotImplementedError

    def __call__(self, o, t):
        return ((o - t) ** 2).mean()


class BCEWithLogitsLoss(Module):
    def __call__(self, z, t):
        return (z.clamp(min=0) - z * t + ((-z.abs()).exp() + 1).log()).mean()


class CrossEntropyLoss(Module):
    def __call__(self, z, y):
        logp = z.log_softmax(dim=1)
        onehot = cr.from_numpy(np.eye(z.shape[1], dtype=np.float32)[y.numpy()])
        return -(logp * onehot).sum(dim=1).mean()

"""Custom nn.Modules with scalar Parameters: a cubic, and a "dynamic" net whose depth is drawn every forward.

After pytorch/tutorials, beginner_source/examples_nn/polynomial_module.py and dynamic_net.py @ 1d18970
(BSD-3-Clause), "Learning PyTorch with Examples". Written anew for this suite; it keeps the tutorials' calls
(`torch.nn.Parameter(torch.randn(()))`, a `string()` method formatting `.item()`s, Python's `random.randint` in
forward, one parameter reused for several powers, `MSELoss(reduction='sum')`, `SGD(..., momentum=0.9)`) and
what they print. Changed: Python's random is seeded; 500 and 3000 steps instead of 2000 and 30000.
"""

import math
import random

import torch

random.seed(0)


class Polynomial3(torch.nn.Module):
    def __init__(self):
        super().__init__()
        self.a = torch.nn.Parameter(torch.randn(()))
        self.b = torch.nn.Parameter(torch.randn(()))
        self.c = torch.nn.Parameter(torch.randn(()))
        self.d = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        return self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3

    def string(self):
        return f"y = {self.a.item()} + {self.b.item()} x + {self.c.item()} x^2 + {self.d.item()} x^3"


class DynamicNet(Polynomial3):
    def __init__(self):
        super().__init__()
        self.e = torch.nn.Parameter(torch.randn(()))

    def forward(self, x):
        y = super().forward(x)
        for exp in range(4, random.randint(4, 6)):
            y = y + self.e * x ** exp
        return y


x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
for model, steps, optimizer_args in [(Polynomial3(), 500, dict(lr=1e-6)),
                                     (DynamicNet(), 3000, dict(lr=1e-8, momentum=0.9))]:
    criterion = torch.nn.MSELoss(reduction="sum")
    optimizer = torch.optim.SGD(model.parameters(), **optimizer_args)
    for t in range(steps):
        loss = criterion(model(x), y)
        if t % (steps // 5) == steps // 5 - 1:
            print(t, loss.item())
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    print(f"Result: {model.string()}", [name for name, _ in model.named_parameters()])

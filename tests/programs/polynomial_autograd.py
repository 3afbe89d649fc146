"""Fit sin(x) with a cubic a + bx + cx² + dx³ using raw tensors and autograd (no nn, no optim).

After pytorch/tutorials, beginner_source/examples_autograd/polynomial_autograd.py @ 02e5a75 (BSD-3-Clause),
"Learning PyTorch with Examples". Written anew for this suite; it keeps the tutorial's calls
(`torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"`,
`torch.set_default_device`, `torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)`, `torch.randn((), dtype=...,
requires_grad=True)`, `(y_pred - y).pow(2).sum()`, updates under no_grad) and what it prints. Changed: 500
steps instead of 2000; the gradients are reset with `a.grad = None` (the tutorial's newer `a.grad = 0.` is a
TypeError in PyTorch itself).
"""

import math

import torch

dtype = torch.float
device = torch.accelerator.current_accelerator().type if torch.accelerator.is_available() else "cpu"
print(f"Using {device} device")
torch.set_default_device(device)

x = torch.linspace(-math.pi, math.pi, 2000, dtype=dtype)
y = torch.sin(x)
a = torch.randn((), dtype=dtype, requires_grad=True)
b = torch.randn((), dtype=dtype, requires_grad=True)
c = torch.randn((), dtype=dtype, requires_grad=True)
d = torch.randn((), dtype=dtype, requires_grad=True)

learning_rate = 1e-6
for t in range(500):
    y_pred = a + b * x + c * x ** 2 + d * x ** 3
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())
    loss.backward()
    with torch.no_grad():
        a -= learning_rate * a.grad
        b -= learning_rate * b.grad
        c -= learning_rate * c.grad
        d -= learning_rate * d.grad
        a.grad = None
        b.grad = None
        c.grad = None
        d.grad = None
print(f"Result: y = {a.item()} + {b.item()} x + {c.item()} x^2 + {d.item()} x^3")

"""A custom autograd Function (the Legendre polynomial P3 with its own backward) inside a training loop.

After pytorch/tutorials, beginner_source/examples_autograd/polynomial_custom_function.py @ 02ed6c5
(BSD-3-Clause), "Learning PyTorch with Examples". Written anew for this suite; it keeps the tutorial's calls
(`class ...(torch.autograd.Function)` with static `forward(ctx, input)` / `backward(ctx, grad_output)`,
`ctx.save_for_backward`, `ctx.saved_tensors`, `Function.apply`, `torch.full((), 0.3, device=device, dtype=dtype,
requires_grad=True)`, `torch.device("cpu")`) and what it prints. Changed: 500 steps instead of 2000.
"""

import math

import torch


class LegendrePolynomial3(torch.autograd.Function):
    @staticmethod
    def forward(ctx, input):
        ctx.save_for_backward(input)
        return 0.5 * (5 * input ** 3 - 3 * input)

    @staticmethod
    def backward(ctx, grad_output):
        input, = ctx.saved_tensors
        return grad_output * 1.5 * (5 * input ** 2 - 1)


dtype = torch.float
device = torch.device("cpu")
x = torch.linspace(-math.pi, math.pi, 2000, device=device, dtype=dtype)
y = torch.sin(x)
a = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
b = torch.full((), -1.0, device=device, dtype=dtype, requires_grad=True)
c = torch.full((), 0.0, device=device, dtype=dtype, requires_grad=True)
d = torch.full((), 0.3, device=device, dtype=dtype, requires_grad=True)

learning_rate = 5e-6
for t in range(500):
    P3 = LegendrePolynomial3.apply
    y_pred = a + b * P3(c + d * x)
    loss = (y_pred - y).pow(2).sum()
    if t % 100 == 99:
        print(t, loss.item())
    loss.backward()
    with torch.no_grad():
        for p in (a, b, c, d):
            p -= learning_rate * p.grad
            p.grad = None
print(f"Result: y = {a.item()} + {b.item()} * P3({c.item()} + {d.item()} x)")
print(y_pred, y_pred.grad_fn.next_functions[1][0].next_functions[1][0])

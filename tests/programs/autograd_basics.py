"""Autograd basics: requires_grad, grad_fn, a vector-Jacobian product, detach, no_grad, zeroing gradients.

After patrickloeber/pytorchTutorial, 03_autograd.py @ 8be6978 (MIT), lesson 3 of a PyTorch video course.
Written anew for this suite (the original's text is not copied); it makes the original's calls and prints
what it prints. Changed: nothing needed replacing (no data, no plots); fewer doubling steps.
"""

import torch

x = torch.randn(3, requires_grad=True)
y = x + 2
print(x)
print(y)
print(y.grad_fn)
z = (y * y * 3).mean()
print(z)
z.backward()
print(x.grad)

x = torch.randn(3, requires_grad=True)
y = x * 2
for _ in range(5):
    y = y * 2
print(y, y.shape)
y.backward(torch.tensor([0.1, 1.0, 0.0001], dtype=torch.float32))
print(x.grad)

a = torch.randn(2, 2)
print(a.requires_grad)
print(((a * 3) / (a - 1)).grad_fn)
a.requires_grad_(True)
print(a.requires_grad, (a * a).sum().grad_fn)
print(a.detach().requires_grad)
with torch.no_grad():
    print((x ** 2).requires_grad)

weights = torch.ones(4, requires_grad=True)
for epoch in range(3):
    out = (weights * 3).sum()
    out.backward()
    print(epoch, weights.grad)
    with torch.no_grad():
        weights -= 0.1 * weights.grad
    weights.grad.zero_()
print(weights, out)

"""Backpropagation and gradient descent by hand: a one-weight linear model f(x) = w·x trained with autograd.

After patrickloeber/pytorchTutorial, 04_backpropagation.py @ 8be6978 and 05_2_gradientdescent_auto.py @ 7b19836
(MIT). Written anew for this suite; it keeps the originals' calls (a scalar loss's backward, `w -= lr * w.grad`
under no_grad, `w.grad.zero_()`) and what they print. Changed: nothing to replace.
"""

import torch

x, y = torch.tensor(1.0), torch.tensor(2.0)
w = torch.tensor(1.0, requires_grad=True)
loss = (w * x - y) ** 2
print(loss)
loss.backward()
print(w.grad)

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
Y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)
w = torch.tensor(0.0, dtype=torch.float32, requires_grad=True)


def forward(x):
    return w * x


def loss_fn(y, y_pred):
    return ((y_pred - y) ** 2).mean()


print(f"before training: f(5) = {forward(5).item():.3f}")
for epoch in range(30):
    l = loss_fn(Y, forward(X))
    l.backward()
    with torch.no_grad():
        w -= 0.01 * w.grad
    w.grad.zero_()
    if epoch % 3 == 0:
        print(f"epoch {epoch + 1}: w = {w:.3f}, loss = {l:.8f}")
print(f"after training: f(5) = {forward(5).item():.3f}")

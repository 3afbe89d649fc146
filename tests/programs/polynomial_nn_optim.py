"""The cubic fit with nn: powers by broadcasting, Sequential(Linear, Flatten(0, 1)), MSELoss(reduction='sum'),
first by hand over model.parameters(), then with an optimizer.

After pytorch/tutorials, beginner_source/examples_nn/polynomial_nn.py and polynomial_optim.py @ 02d7694
(BSD-3-Clause), "Learning PyTorch with Examples". Written anew for this suite; it keeps the tutorials' calls
(`x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))`, `torch.nn.Flatten(0, 1)`, `model.zero_grad()`,
`param -= learning_rate * param.grad` under no_grad, `model[0]`, `linear_layer.weight[:, 0].item()`, RMSprop as
the tutorial's earlier version used) and what they print. Changed: 500 steps instead of 2000.
"""

import math

import torch

x = torch.linspace(-math.pi, math.pi, 2000)
y = torch.sin(x)
p = torch.tensor([1, 2, 3])
xx = x.unsqueeze(-1).pow(p)
print(xx.shape, xx.dtype)

model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
loss_fn = torch.nn.MSELoss(reduction="sum")
learning_rate = 1e-6
for t in range(500):
    y_pred = model(xx)
    loss = loss_fn(y_pred, y)
    if t % 100 == 99:
        print(t, loss.item())
    model.zero_grad()
    loss.backward()
    with torch.no_grad():
        for param in model.parameters():
            param -= learning_rate * param.grad
linear_layer = model[0]
print(f"Result: y = {linear_layer.bias.item()} + {linear_layer.weight[:, 0].item()} x + "
      f"{linear_layer.weight[:, 1].item()} x^2 + {linear_layer.weight[:, 2].item()} x^3")

model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
for t in range(500):
    loss = loss_fn(model(xx), y)
    if t % 100 == 99:
        print(t, loss.item())
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
print(model, model[0].weight)

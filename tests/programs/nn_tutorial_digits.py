""""What is torch.nn really?": logistic regression from raw tensors, refactored step by step into F.cross_entropy,
nn.Module with nn.Parameter, nn.Linear, optim, TensorDataset, DataLoader and a fit() with validation.

After pytorch/tutorials, beginner_source/nn_tutorial.py @ 764a8d6 (BSD-3-Clause). Written anew for this suite;
it keeps the tutorial's calls (`torch.randn(784, 10) / math.sqrt(784)`, `weights.requires_grad_()`, a
log_softmax written as `x - x.exp().sum(-1).log().unsqueeze(-1)`, `-input[range(target.shape[0]), target].mean()`,
`(torch.argmax(out, dim=1) == yb).float().mean()`, `weights -= weights.grad * lr` under no_grad,
`map(torch.tensor, (x_train, y_train, x_valid, y_valid))`, `model.zero_grad()` after manual updates,
`sum(loss_func(model(xb), yb) for xb, yb in valid_dl)`, a `loss_batch` returning `loss.item(), len(xb)` and
`np.sum(np.multiply(losses, nums)) / np.sum(nums)`) and what it prints. Changed: MNIST (a download) is
scikit-learn's bundled 8x8 digits (64 inputs, 1500 to train, 297 to validate); fewer epochs; the CNN part at
the end is left out (this suite's programs stay with dense layers).
"""

import math

import numpy as np
import torch
import torch.nn.functional as F
from sklearn.datasets import load_digits
from torch import nn, optim
from torch.utils.data import DataLoader, TensorDataset

digits = load_digits()
x_all = (digits.data / 16.0).astype(np.float32)
x_train, y_train, x_valid, y_valid = x_all[:1500], digits.target[:1500], x_all[1500:], digits.target[1500:]
x_train, y_train, x_valid, y_valid = map(torch.tensor, (x_train, y_train, x_valid, y_valid))
n, c = x_train.shape
print(x_train, y_train)
print(x_train.shape, y_train.min(), y_train.max())

weights = torch.randn(64, 10) / math.sqrt(64)
weights.requires_grad_()
bias = torch.zeros(10, requires_grad=True)


def log_softmax(x):
    return x - x.exp().sum(-1).log().unsqueeze(-1)


def model(xb):
    return log_softmax(xb @ weights + bias)


def nll(input, target):
    return -input[range(target.shape[0]), target].mean()


def accuracy(out, yb):
    preds = torch.argmax(out, dim=1)
    return (preds == yb).float().mean()


bs = 64
xb, yb = x_train[0:bs], y_train[0:bs]
preds = model(xb)
print(preds[0], preds.shape)
loss_func = nll
print(loss_func(preds, yb), accuracy(preds, yb))

lr, epochs = 0.5, 2
for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        start_i = i * bs
        xb, yb = x_train[start_i:start_i + bs], y_train[start_i:start_i + bs]
        loss = loss_func(model(xb), yb)
        loss.backward()
        with torch.no_grad():
            weights -= weights.grad * lr
            bias -= bias.grad * lr
            weights.grad.zero_()
            bias.grad.zero_()
print(loss_func(model(xb), yb), accuracy(model(xb), yb))

loss_func = F.cross_entropy


def model(xb):  # noqa: F811 - the tutorial redefines its model as it goes
    return xb @ weights + bias


print(loss_func(model(xb), yb), accuracy(model(xb), yb))


class Mnist_Logistic(nn.Module):
    def __init__(self):
        super().__init__()
        self.weights = nn.Parameter(torch.randn(64, 10) / math.sqrt(64))
        self.bias = nn.Parameter(torch.zeros(10))

    def forward(self, xb):
        return xb @ self.weights + self.bias


model = Mnist_Logistic()
print(loss_func(model(xb), yb))
for epoch in range(epochs):
    for i in range((n - 1) // bs + 1):
        xb, yb = x_train[i * bs:i * bs + bs], y_train[i * bs:i * bs + bs]
        loss = loss_func(model(xb), yb)
        loss.backward()
        with torch.no_grad():
            for p in model.parameters():
                p -= p.grad * lr
            model.zero_grad()
print(loss_func(model(xb), yb))


class Mnist_Linear(nn.Module):
    def __init__(self):
        super().__init__()
        self.lin = nn.Linear(64, 10)

    def forward(self, xb):
        return self.lin(xb)


def get_model():
    model = Mnist_Linear()
    return model, optim.SGD(model.parameters(), lr=lr)


train_ds, valid_ds = TensorDataset(x_train, y_train), TensorDataset(x_valid, y_valid)


def get_data(train_ds, valid_ds, bs):
    return DataLoader(train_ds, batch_size=bs, shuffle=True), DataLoader(valid_ds, batch_size=bs * 2)


def loss_batch(model, loss_func, xb, yb, opt=None):
    loss = loss_func(model(xb), yb)
    if opt is not None:
        loss.backward()
        opt.step()
        opt.zero_grad()
    return loss.item(), len(xb)


def fit(epochs, model, loss_func, opt, train_dl, valid_dl):
    for epoch in range(epochs):
        model.train()
        for xb, yb in train_dl:
            loss_batch(model, loss_func, xb, yb, opt)
        model.eval()
        with torch.no_grad():
            losses, nums = zip(*[loss_batch(model, loss_func, xb, yb) for xb, yb in valid_dl])
        val_loss = np.sum(np.multiply(losses, nums)) / np.sum(nums)
        print(epoch, val_loss)


model, opt = get_model()
train_dl, valid_dl = get_data(train_ds, valid_ds, bs)
with torch.no_grad():
    print(sum(loss_func(model(xb), yb) for xb, yb in valid_dl) / len(valid_dl))
fit(3, model, loss_func, opt, train_dl, valid_dl)

model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Linear(32, 10))
opt = optim.SGD(model.parameters(), lr=0.1, momentum=0.9)
fit(3, model, loss_func, opt, train_dl, valid_dl)

"""Overfitting against dropout: two nets on 20 noisy points, train() and eval() modes.

After MorvanZhou/PyTorch-Tutorial, tutorial-contents/503_dropout.py @ 4e5122c (MIT). Written anew for this
suite; it keeps the original's calls (`torch.unsqueeze(torch.linspace(-1, 1, N), 1)`, `torch.normal(torch.zeros(N,
1), torch.ones(N, 1))`, `torch.nn.Dropout(0.5)` in nn.Sequential, `net.eval()` / `net.train()` around the test
loss, `loss.data.numpy()`). Changed: 200 steps instead of 500; the live plot is printed test losses.
"""

import torch

N_SAMPLES, N_HIDDEN = 20, 300
x = torch.unsqueeze(torch.linspace(-1, 1, N_SAMPLES), 1)
y = x + 0.3 * torch.normal(torch.zeros(N_SAMPLES, 1), torch.ones(N_SAMPLES, 1))
test_x = torch.unsqueeze(torch.linspace(-1, 1, N_SAMPLES), 1)
test_y = test_x + 0.3 * torch.normal(torch.zeros(N_SAMPLES, 1), torch.ones(N_SAMPLES, 1))

net_overfitting = torch.nn.Sequential(
    torch.nn.Linear(1, N_HIDDEN), torch.nn.ReLU(),
    torch.nn.Linear(N_HIDDEN, N_HIDDEN), torch.nn.ReLU(),
    torch.nn.Linear(N_HIDDEN, 1),
)
net_dropped = torch.nn.Sequential(
    torch.nn.Linear(1, N_HIDDEN), torch.nn.Dropout(0.5), torch.nn.ReLU(),
    torch.nn.Linear(N_HIDDEN, N_HIDDEN), torch.nn.Dropout(0.5), torch.nn.ReLU(),
    torch.nn.Linear(N_HIDDEN, 1),
)
print(net_overfitting)
print(net_dropped)

optimizer_ofit = torch.optim.Adam(net_overfitting.parameters(), lr=0.01)
optimizer_drop = torch.optim.Adam(net_dropped.parameters(), lr=0.01)
loss_func = torch.nn.MSELoss()
for t in range(200):
    loss_ofit = loss_func(net_overfitting(x), y)
    loss_drop = loss_func(net_dropped(x), y)
    optimizer_ofit.zero_grad()
    optimizer_drop.zero_grad()
    loss_ofit.backward()
    loss_drop.backward()
    optimizer_ofit.step()
    optimizer_drop.step()
    if t % 40 == 0:
        net_overfitting.eval()
        net_dropped.eval()
        test_ofit = loss_func(net_overfitting(test_x), test_y).data.numpy()
        test_drop = loss_func(net_dropped(test_x), test_y).data.numpy()
        print("step %d overfitting loss=%.4f dropout loss=%.4f" % (t, test_ofit, test_drop))
        net_overfitting.train()
        net_dropped.train()

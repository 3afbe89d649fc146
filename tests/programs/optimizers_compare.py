"""SGD, momentum, RMSprop and Adam side by side on one regression, one DataLoader.

After MorvanZhou/PyTorch-Tutorial, tutorial-contents/306_optimizer.py @ 4e5122c (MIT). Written anew for this
suite; it keeps the original's calls (`torch.normal(torch.zeros(*x.size()))`, `optim.SGD(..., momentum=0.8)`,
`optim.RMSprop(..., alpha=0.9)`, `optim.Adam(..., betas=(0.9, 0.99))`, `loss.data.numpy()` into lists).
Changed: 3 epochs of 300 points instead of 12 of 1000; the loss plot is the printed mean loss per epoch.
"""

import torch
import torch.nn.functional as F
import torch.utils.data as Data

LR, BATCH_SIZE, EPOCH = 0.01, 32, 3
x = torch.unsqueeze(torch.linspace(-1, 1, 300), dim=1)
y = x.pow(2) + 0.1 * torch.normal(torch.zeros(*x.size()))
loader = Data.DataLoader(dataset=Data.TensorDataset(x, y), batch_size=BATCH_SIZE, shuffle=True)


class Net(torch.nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.hidden = torch.nn.Linear(1, 20)
        self.predict = torch.nn.Linear(20, 1)

    def forward(self, x):
        return self.predict(F.relu(self.hidden(x)))


if __name__ == "__main__":
    nets = [Net(), Net(), Net(), Net()]
    optimizers = [torch.optim.SGD(nets[0].parameters(), lr=LR),
                  torch.optim.SGD(nets[1].parameters(), lr=LR, momentum=0.8),
                  torch.optim.RMSprop(nets[2].parameters(), lr=LR, alpha=0.9),
                  torch.optim.Adam(nets[3].parameters(), lr=LR, betas=(0.9, 0.99))]
    loss_func = torch.nn.MSELoss()
    losses_his = [[], [], [], []]
    for epoch in range(EPOCH):
        for step, (b_x, b_y) in enumerate(loader):
            for net, opt, l_his in zip(nets, optimizers, losses_his):
                loss = loss_func(net(b_x), b_y)
                opt.zero_grad()
                loss.backward()
                opt.step()
                l_his.append(loss.data.numpy())
        print("Epoch:", epoch, " ".join(f"{sum(h[-10:]) / 10:.5f}" for h in losses_his))
    for name, l_his in zip(["SGD", "Momentum", "RMSprop", "Adam"], losses_his):
        print(name, len(l_his), f"{float(l_his[-1]):.5f}")

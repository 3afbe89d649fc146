"""Batch normalisation in a deep tanh net with a bad bias init: layers made with setattr, init.normal_/constant_.

After MorvanZhou/PyTorch-Tutorial, tutorial-contents/504_batch_normalization.py @ 4e5122c (MIT). Written anew
for this suite; it keeps the original's calls (`from torch.nn import init`, `nn.BatchNorm1d(10, momentum=0.5)`,
`setattr(self, 'fc%i' % i, fc)`, `init.normal_(w, mean=0., std=.1)`, `init.constant_(b, -0.2)`, a forward that
returns the pre-activations, `net.eval()` / `net.train()` for the test loss, `.data.item()`). Changed: NumPy's
noise is seeded; 600 points and 2 epochs instead of 2000 and 12; the histograms are printed statistics.
The biases before a BatchNorm get gradients of pure rounding noise (the normalisation removes them) that Adam
scales up to whole steps, so the BN net's numbers part from PyTorch's (and from PyTorch's own on another thread
count) within an epoch: for it, only the first epoch's numbers and the comparison with the plain net print.
"""

import numpy as np
import torch
import torch.utils.data as Data
from torch import nn
from torch.nn import init

np.random.seed(1)
N_SAMPLES, BATCH_SIZE, EPOCH, LR, N_HIDDEN = 600, 64, 2, 0.03, 8
ACTIVATION = torch.tanh
B_INIT = -0.2

x = np.linspace(-7, 10, N_SAMPLES)[:, np.newaxis]
y = np.square(x) - 5 + np.random.normal(0, 2, x.shape)
test_x = np.linspace(-7, 10, 200)[:, np.newaxis]
test_y = np.square(test_x) - 5 + np.random.normal(0, 2, test_x.shape)
train_x, train_y = torch.from_numpy(x).float(), torch.from_numpy(y).float()
test_x, test_y = torch.from_numpy(test_x).float(), torch.from_numpy(test_y).float()
train_loader = Data.DataLoader(dataset=Data.TensorDataset(train_x, train_y), batch_size=BATCH_SIZE, shuffle=True)


class Net(nn.Module):
    def __init__(self, batch_normalization=False):
        super(Net, self).__init__()
        self.do_bn = batch_normalization
        self.fcs, self.bns = [], []
        self.bn_input = nn.BatchNorm1d(1, momentum=0.5)
        for i in range(N_HIDDEN):
            fc = nn.Linear(1 if i == 0 else 10, 10)
            setattr(self, "fc%i" % i, fc)
            self._set_init(fc)
            self.fcs.append(fc)
            if self.do_bn:
                bn = nn.BatchNorm1d(10, momentum=0.5)
                setattr(self, "bn%i" % i, bn)
                self.bns.append(bn)
        self.predict = nn.Linear(10, 1)
        self._set_init(self.predict)

    def _set_init(self, layer):
        init.normal_(layer.weight, mean=0., std=.1)
        init.constant_(layer.bias, B_INIT)

    def forward(self, x):
        pre_activation = [x]
        if self.do_bn:
            x = self.bn_input(x)
        for i in range(N_HIDDEN):
            x = self.fcs[i](x)
            pre_activation.append(x)
            if self.do_bn:
                x = self.bns[i](x)
            x = ACTIVATION(x)
        return self.predict(x), pre_activation


nets = [Net(batch_normalization=False), Net(batch_normalization=True)]
print(nets[1])
opts = [torch.optim.Adam(net.parameters(), lr=LR) for net in nets]
loss_func = torch.nn.MSELoss()
for epoch in range(EPOCH):
    losses = []
    for net in nets:
        net.eval()
        pred, pre_act = net(test_x)
        losses.append(loss_func(pred, test_y).data.item())
        if epoch == 0 or not net.do_bn:
            print(f"epoch {epoch} test loss {losses[-1]:.3f}", [f"{p.std().item():.3f}" for p in pre_act[1:4]])
        net.train()
    print("batch normalization helps:", losses[1] < losses[0])
    for step, (b_x, b_y) in enumerate(train_loader):
        for net, opt in zip(nets, opts):
            pred, _ = net(b_x)
            loss = loss_func(pred, b_y)
            opt.zero_grad()
            loss.backward()
            opt.step()
print(nets[1].bn0.num_batches_tracked, nets[1].bn0.running_mean.shape)

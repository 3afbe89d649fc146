"""The same net two ways -- a Module subclass and nn.Sequential -- printed, and their state_dict keys.

After MorvanZhou/PyTorch-Tutorial, tutorial-contents/303_build_nn_quickly.py @ 4e5122c (MIT). Written anew for
this suite; it keeps the original's calls (a `Net(torch.nn.Module)` with `hidden`/`predict` Linear layers and
F.relu, `torch.nn.Sequential(Linear, ReLU(), Linear)`, `print(net1)`, `print(net2)`). Changed: the nets are also
run on a batch and their parameter names and counts printed.
"""

import torch
import torch.nn.functional as F


class Net(torch.nn.Module):
    def __init__(self, n_feature, n_hidden, n_output):
        super(Net, self).__init__()
        self.hidden = torch.nn.Linear(n_feature, n_hidden)
        self.predict = torch.nn.Linear(n_hidden, n_output)

    def forward(self, x):
        return self.predict(F.relu(self.hidden(x)))


net1 = Net(1, 10, 1)
net2 = torch.nn.Sequential(torch.nn.Linear(1, 10), torch.nn.ReLU(), torch.nn.Linear(10, 1))
print(net1)
print(net2)
x = torch.unsqueeze(torch.linspace(-1, 1, 5), dim=1)
print(net1(x), net2(x))
for net in (net1, net2):
    print(list(net.state_dict().keys()), sum(p.numel() for p in net.parameters()))
    print([(name, tuple(p.shape)) for name, p in net.named_parameters()])
print(net2[0], net2[-1].weight.shape, len(net2))

"""LeNet from PyTorch's 60-minute blitz: Conv2d, max_pool2d, flatten, a backward with a given gradient, MSELoss,
a manual SGD step through `.data`, then torch.optim.

After pytorch/tutorials, beginner_source/blitz/neural_networks_tutorial.py @ 7a017bb (BSD-3-Clause), "Deep
Learning with PyTorch: A 60 Minute Blitz". Written anew for this suite; it keeps the tutorial's calls
(`nn.Conv2d(1, 6, 5)`, `F.max_pool2d(c1, (2, 2))`, `torch.flatten(s4, 1)`, `list(net.parameters())`,
`params[0].size()`, `torch.randn(1, 1, 32, 32)`, `out.backward(torch.randn(1, 10))`, `torch.randn(10).view(1, -1)`,
`print(loss.grad_fn)` and the walk back through `loss.grad_fn.next_functions` (MseLoss, Addmm, AccumulateGrad),
`net.conv1.bias.grad` before and after backward, `f.data.sub_(f.grad.data * learning_rate)`, the optimizer's
loop) and what it prints. Changed: the optimizer's loop (a comment in the tutorial) runs three steps and prints
the loss of each.
"""

import torch
import torch.nn as nn
import torch.nn.functional as F
import torch.optim as optim


class Net(nn.Module):
    def __init__(self):
        super(Net, self).__init__()
        self.conv1 = nn.Conv2d(1, 6, 5)
        self.conv2 = nn.Conv2d(6, 16, 5)
        self.fc1 = nn.Linear(16 * 5 * 5, 120)
        self.fc2 = nn.Linear(120, 84)
        self.fc3 = nn.Linear(84, 10)

    def forward(self, input):
        c1 = F.relu(self.conv1(input))
        s2 = F.max_pool2d(c1, (2, 2))
        c3 = F.relu(self.conv2(s2))
        s4 = torch.flatten(F.max_pool2d(c3, 2), 1)
        f5 = F.relu(self.fc1(s4))
        f6 = F.relu(self.fc2(f5))
        return self.fc3(f6)


net = Net()
print(net)
params = list(net.parameters())
print(len(params), params[0].size())
input = torch.randn(1, 1, 32, 32)
out = net(input)
print(out)
net.zero_grad()
out.backward(torch.randn(1, 10))

output = net(input)
target = torch.randn(10).view(1, -1)
criterion = nn.MSELoss()
loss = criterion(output, target)
print(loss)
print(loss.grad_fn)  # MSELoss
print(loss.grad_fn.next_functions[0][0])  # Linear
print(loss.grad_fn.next_functions[0][0].next_functions[0][0])  # its bias
net.zero_grad()
print("conv1.bias.grad before backward", net.conv1.bias.grad)
loss.backward()
print("conv1.bias.grad after backward", net.conv1.bias.grad)

learning_rate = 0.01
for f in net.parameters():
    f.data.sub_(f.grad.data * learning_rate)
optimizer = optim.SGD(net.parameters(), lr=0.01)
for step in range(3):
    optimizer.zero_grad()
    loss = criterion(net(input), target)
    loss.backward()
    optimizer.step()
    print(step, loss.item())
print(net(input))

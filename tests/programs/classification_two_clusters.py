"""Two Gaussian clusters classified by a one-hidden-layer net: torch.normal, legacy tensor types, CrossEntropyLoss.

After MorvanZhou/PyTorch-Tutorial, tutorial-contents/302_classification.py @ 4e5122c (MIT). Written anew for
this suite; it keeps the original's calls (`torch.normal(2 * n_data, 1)`, `torch.cat(...).type(torch.FloatTensor)`
and `.type(torch.LongTensor)`, `print(net)`, `torch.max(out, 1)[1]`, `prediction.data.numpy()`) and its training
loop. Changed: the live matplotlib plot of the decision is a printed accuracy.
"""

import torch
import torch.nn.functional as F

n_data = torch.ones(100, 2)
x0, y0 = torch.normal(2 * n_data, 1), torch.zeros(100)
x1, y1 = torch.normal(-2 * n_data, 1), torch.ones(100)
x = torch.cat((x0, x1), 0).type(torch.FloatTensor)
y = torch.cat((y0, y1), ).type(torch.LongTensor)


class Net(torch.nn.Module):
    def __init__(self, n_feature, n_hidden, n_output):
        super(Net, self).__init__()
        self.hidden = torch.nn.Linear(n_feature, n_hidden)
        self.out = torch.nn.Linear(n_hidden, n_output)

    def forward(self, x):
        return self.out(F.relu(self.hidden(x)))


net = Net(n_feature=2, n_hidden=10, n_output=2)
print(net)
optimizer = torch.optim.SGD(net.parameters(), lr=0.02)
loss_func = torch.nn.CrossEntropyLoss()
for t in range(60):
    out = net(x)
    loss = loss_func(out, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if t % 10 == 0:
        pred_y = torch.max(out, 1)[1].data.numpy()
        accuracy = float((pred_y == y.data.numpy()).astype(int).sum()) / float(y.data.numpy().size)
        print(f"step {t}: loss {loss.data.numpy():.4f} accuracy {accuracy:.2f}")
print(F.softmax(net(x[:3]), dim=1))

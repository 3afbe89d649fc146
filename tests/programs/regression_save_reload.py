"""Fit a noisy parabola with nn.Sequential, then save and restore its parameters (state_dict) and a checkpoint.

After MorvanZhou/PyTorch-Tutorial, tutorial-contents/301_regression.py and 304_save_reload.py @ 4e5122c (MIT),
and patrickloeber/pytorchTutorial, 17_save_load.py @ f4735ad (MIT). Written anew for this suite; it keeps their
calls (`torch.unsqueeze(torch.linspace(-1, 1, 100), dim=1)`, `x.pow(2) + 0.2 * torch.rand(x.size())`,
`torch.save(net.state_dict(), ...)`, `load_state_dict(torch.load(...))`, a checkpoint dict with the optimizer's
state_dict, `model.eval()`). Changed: the plots are printed losses; files go to the working folder; saving a
whole pickled model (`torch.save(net)`) is left out -- PyTorch 2.6+ refuses to load that by default too, and
chainrule never pickles.
"""

import torch

x = torch.unsqueeze(torch.linspace(-1, 1, 100), dim=1)
y = x.pow(2) + 0.2 * torch.rand(x.size())


class Net(torch.nn.Module):
    def __init__(self, n_feature, n_hidden, n_output):
        super(Net, self).__init__()
        self.hidden = torch.nn.Linear(n_feature, n_hidden)
        self.predict = torch.nn.Linear(n_hidden, n_output)

    def forward(self, x):
        return self.predict(torch.relu(self.hidden(x)))


net = Net(n_feature=1, n_hidden=10, n_output=1)
optimizer = torch.optim.SGD(net.parameters(), lr=0.2)
loss_func = torch.nn.MSELoss()
for t in range(100):
    prediction = net(x)
    loss = loss_func(prediction, y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if t % 20 == 0:
        print("Loss=%.4f" % loss.data.numpy())


def build():
    return torch.nn.Sequential(torch.nn.Linear(1, 10), torch.nn.ReLU(), torch.nn.Linear(10, 1))


net1 = build()
optimizer = torch.optim.SGD(net1.parameters(), lr=0.5)
for t in range(50):
    loss = loss_func(net1(x), y)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
torch.save(net1.state_dict(), "net_params.pkl")
net3 = build()
net3.load_state_dict(torch.load("net_params.pkl"))
print(loss_func(net1(x), y).item(), loss_func(net3(x), y).item())
print(net3.state_dict().keys())

checkpoint = {"epoch": 50, "model_state": net1.state_dict(), "optim_state": optimizer.state_dict()}
torch.save(checkpoint, "checkpoint.pth")
loaded = torch.load("checkpoint.pth")
model = build()
model.load_state_dict(loaded["model_state"])
opt = torch.optim.SGD(model.parameters(), lr=0)
opt.load_state_dict(loaded["optim_state"])
model.eval()
print(loaded["epoch"], opt.state_dict()["param_groups"][0]["lr"], model(torch.tensor([[0.5]])))

"""A small user training script: `mypy --strict` must find no error in it (tests/test_wheel.py)."""
import chainrule as cr
from chainrule import nn, optim
from chainrule.data import DataLoader, TensorDataset
from chainrule.train import History, fit


class Net(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.fc1 = nn.Linear(2, 16)
        self.act = nn.ReLU()
        self.drop = nn.Dropout(0.1)
        self.bn = nn.BatchNorm1d(16)
        self.fc2 = nn.Linear(16, 2)

    def forward(self, x: cr.Tensor) -> cr.Tensor:
        return self.fc2(self.drop(self.act(self.bn(self.fc1(x)))))


def main() -> float:
    cr.manual_seed(0)
    X = cr.randn(64, 2)
    y = (X[:, 0] > 0).long()
    model = Net()
    seq = nn.Sequential(nn.Linear(2, 8), nn.Tanh(), nn.Linear(8, 2))
    loss_fn = nn.CrossEntropyLoss()
    opt = optim.Adam(model.parameters(), lr=0.01)
    sched = optim.lr_scheduler.StepLR(opt, step_size=10)
    loader = DataLoader(TensorDataset(X, y), batch_size=16, shuffle=True)
    for xb, yb in loader:
        opt.zero_grad()
        out = model(xb)
        loss = loss_fn(out, yb)
        loss.backward()
        opt.step()
    sched.step()
    logits: cr.Tensor = seq(X)
    probs = logits.softmax(dim=1)
    pred = probs.argmax(dim=1)
    acc = (pred == y).float().mean().item()
    sgd = optim.SGD(seq.parameters(), lr=0.1, momentum=0.9)
    h: History = fit(seq, loss_fn, sgd, (X, y), epochs=2, verbose=0)
    last: float = h["loss"][-1]
    with cr.no_grad():
        z = (X @ X.T + 1.0).sum()
    w = model.fc1.weight
    g = w.grad
    n = X.shape[0] + X.size(1) + X.numel()
    arr = X.numpy()
    return acc + last + z.item() + float(n) + float(arr.sum()) + (0.0 if g is None else g.sum().item())



if __name__ == "__main__":
    print(main())

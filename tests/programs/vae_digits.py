"""A variational autoencoder with dense layers: reparameterisation, binary cross-entropy plus KL, argparse.

After pytorch/examples, vae/main.py @ fcce71c (BSD-3-Clause). Written anew for this suite; it keeps the
original's calls (argparse with `--batch-size/--epochs/--seed/--log-interval`, `torch.manual_seed(args.seed)`,
`torch.device("cpu")`, `DataLoader(..., shuffle=True, **kwargs)`, `F.relu`, `torch.exp(0.5 * logvar)`,
`torch.randn_like(std)`, `eps * std + mu`, `torch.sigmoid`, `x.view(-1, 784)`, `F.binary_cross_entropy(...,
reduction='sum')`, `-0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())`, `loss.item() / len(data)`,
`len(train_loader.dataset)`, `train_loss / len(...)`, sampling `torch.randn(64, 20)` under no_grad) and what it
prints. Changed: MNIST (a download) is scikit-learn's bundled 8x8 digits (64 pixels instead of 784; 32 hidden
units and 4 latent dimensions instead of 400 and 20); 2 epochs; no image files are written (save_image is
torchvision's).
"""

import argparse

import torch
import torch.utils.data
from sklearn.datasets import load_digits
from torch import nn, optim
from torch.nn import functional as F

parser = argparse.ArgumentParser(description="VAE digits example")
parser.add_argument("--batch-size", type=int, default=128, metavar="N")
parser.add_argument("--epochs", type=int, default=2, metavar="N")
parser.add_argument("--seed", type=int, default=1, metavar="S")
parser.add_argument("--log-interval", type=int, default=4, metavar="N")
args = parser.parse_args()
torch.manual_seed(args.seed)
device = torch.device("cpu")
kwargs = {}

digits = load_digits()
images = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
labels = torch.tensor(digits.target)
train_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images[:1500], labels[:1500]),
                                           batch_size=args.batch_size, shuffle=True, **kwargs)
test_loader = torch.utils.data.DataLoader(torch.utils.data.TensorDataset(images[1500:], labels[1500:]),
                                          batch_size=args.batch_size, shuffle=False, **kwargs)


class VAE(nn.Module):
    def __init__(self):
        super(VAE, self).__init__()
        self.fc1 = nn.Linear(64, 32)
        self.fc21 = nn.Linear(32, 4)
        self.fc22 = nn.Linear(32, 4)
        self.fc3 = nn.Linear(4, 32)
        self.fc4 = nn.Linear(32, 64)

    def encode(self, x):
        h1 = F.relu(self.fc1(x))
        return self.fc21(h1), self.fc22(h1)

    def reparameterize(self, mu, logvar):
        std = torch.exp(0.5 * logvar)
        eps = torch.randn_like(std)
        return mu + eps * std

    def decode(self, z):
        h3 = F.relu(self.fc3(z))
        return torch.sigmoid(self.fc4(h3))

    def forward(self, x):
        mu, logvar = self.encode(x.view(-1, 64))
        z = self.reparameterize(mu, logvar)
        return self.decode(z), mu, logvar


model = VAE().to(device)
optimizer = optim.Adam(model.parameters(), lr=1e-3)


def loss_function(recon_x, x, mu, logvar):
    BCE = F.binary_cross_entropy(recon_x, x.view(-1, 64), reduction="sum")
    KLD = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return BCE + KLD


def train(epoch):
    model.train()
    train_loss = 0
    for batch_idx, (data, _) in enumerate(train_loader):
        data = data.to(device)
        optimizer.zero_grad()
        recon_batch, mu, logvar = model(data)
        loss = loss_function(recon_batch, data, mu, logvar)
        loss.backward()
        train_loss += loss.item()
        optimizer.step()
        if batch_idx % args.log_interval == 0:
            print("Train Epoch: {} [{}/{} ({:.0f}%)]\tLoss: {:.6f}".format(
                epoch, batch_idx * len(data), len(train_loader.dataset),
                100. * batch_idx / len(train_loader), loss.item() / len(data)))
    print("====> Epoch: {} Average loss: {:.4f}".format(epoch, train_loss / len(train_loader.dataset)))


def test(epoch):
    model.eval()
    test_loss = 0
    with torch.no_grad():
        for i, (data, _) in enumerate(test_loader):
            data = data.to(device)
            recon_batch, mu, logvar = model(data)
            test_loss += loss_function(recon_batch, data, mu, logvar).item()
    test_loss /= len(test_loader.dataset)
    print("====> Test set loss: {:.4f}".format(test_loss))


if __name__ == "__main__":
    for epoch in range(1, args.epochs + 1):
        train(epoch)
        test(epoch)
        with torch.no_grad():
            sample = model.decode(torch.randn(64, 4).to(device)).cpu()
            print(sample.view(64, 1, 8, 8).shape, f"{sample.mean().item():.4f}")

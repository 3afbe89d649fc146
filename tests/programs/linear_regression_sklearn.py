"""Linear regression on scikit-learn's make_regression: from_numpy, view to a column, nn.Linear, MSELoss, SGD.

After patrickloeber/pytorchTutorial, 07_linear_regression.py @ 322eeb4 (MIT). Written anew for this suite; it
keeps the original's calls (`torch.from_numpy(X.astype(np.float32))`, `y.view(y.shape[0], 1)`,
`model(X).detach().numpy()`) and prints its losses. Changed: the plot at the end is a printed summary.
"""

import numpy as np
import torch
import torch.nn as nn
from sklearn import datasets

X_numpy, y_numpy = datasets.make_regression(n_samples=100, n_features=1, noise=20, random_state=4)
X = torch.from_numpy(X_numpy.astype(np.float32))
y = torch.from_numpy(y_numpy.astype(np.float32))
y = y.view(y.shape[0], 1)
n_samples, n_features = X.shape

model = nn.Linear(n_features, 1)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
for epoch in range(100):
    loss = criterion(model(X), y)
    loss.backward()
    optimizer.step()
    optimizer.zero_grad()
    if (epoch + 1) % 10 == 0:
        print(f"epoch: {epoch + 1}, loss = {loss.item():.4f}")

predicted = model(X).detach().numpy()
print(predicted.shape, predicted[:3].ravel(), model.weight.item(), model.bias.item())

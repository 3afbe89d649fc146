"""nn.MSELoss, torch.optim.SGD over a bare tensor and then over nn.Linear; printing tensors with their grad_fn.

After patrickloeber/pytorchTutorial, 06_1_loss_and_optimizer.py @ f8317c3 and 06_2_model_loss_and_ optimizer.py
(MIT). Written anew for this suite; it keeps the originals' calls (`optim.SGD([w], lr)`, `loss(Y, y_pred)`,
`optimizer.step(); optimizer.zero_grad()`, `[w, b] = model.parameters()`, `w[0][0].item()`) and prints the
tensors as they do (with `grad_fn=<MseLossBackward0>`). Changed: fewer steps.
"""

import torch
import torch.nn as nn

X = torch.tensor([1, 2, 3, 4], dtype=torch.float32)
Y = torch.tensor([2, 4, 6, 8], dtype=torch.float32)
w = torch.tensor(0.0, dtype=torch.float32, requires_grad=True)
loss = nn.MSELoss()
optimizer = torch.optim.SGD([w], lr=0.01)
for epoch in range(40):
    l = loss(Y, w * X)
    l.backward()
    optimizer.step()
    optimizer.zero_grad()
    if epoch % 10 == 0:
        print("epoch ", epoch + 1, ": w = ", w, " loss = ", l)

X = torch.tensor([[1], [2], [3], [4]], dtype=torch.float32)
Y = torch.tensor([[2], [4], [6], [8]], dtype=torch.float32)
n_samples, n_features = X.shape
print(n_samples, n_features)
model = nn.Linear(n_features, n_features)
X_test = torch.tensor([5], dtype=torch.float32)
print(f"before training: f(5) = {model(X_test).item():.3f}")
optimizer = torch.optim.SGD(model.parameters(), lr=0.01)
for epoch in range(100):
    l = loss(Y, model(X))
    l.backward()
    optimizer.step()
    optimizer.zero_grad()
    if epoch % 20 == 0:
        [w, b] = model.parameters()
        print("epoch ", epoch + 1, ": w = ", w[0][0].item(), " loss = ", l)
print(f"after training: f(5) = {model(X_test).item():.3f}")

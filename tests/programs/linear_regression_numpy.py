"""Linear regression on a small NumPy table: nn.Linear, MSELoss, SGD, `.format` of loss.item(), state_dict saved.

After yunjey/pytorch-tutorial, tutorials/01-basics/linear_regression/main.py @ 78c6afe (MIT). Written anew for
this suite; it keeps the original's calls (`torch.from_numpy(x_train)` each epoch, `model(...).detach().numpy()`,
`torch.save(model.state_dict(), 'model.ckpt')`) and what it prints. Changed: the fitted-line plot is printed.
"""

import numpy as np
import torch
import torch.nn as nn

input_size, output_size, num_epochs, learning_rate = 1, 1, 60, 0.001
x_train = np.array([[3.3], [4.4], [5.5], [6.71], [6.93], [4.168], [9.779], [6.182], [7.59], [2.167], [7.042],
                    [10.791], [5.313], [7.997], [3.1]], dtype=np.float32)
y_train = np.array([[1.7], [2.76], [2.09], [3.19], [1.694], [1.573], [3.366], [2.596], [2.53], [1.221], [2.827],
                    [3.465], [1.65], [2.904], [1.3]], dtype=np.float32)

model = nn.Linear(input_size, output_size)
criterion = nn.MSELoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
for epoch in range(num_epochs):
    inputs, targets = torch.from_numpy(x_train), torch.from_numpy(y_train)
    loss = criterion(model(inputs), targets)
    optimizer.zero_grad()
    loss.backward()
    optimizer.step()
    if (epoch + 1) % 5 == 0:
        print("Epoch [{}/{}], Loss: {:.4f}".format(epoch + 1, num_epochs, loss.item()))

predicted = model(torch.from_numpy(x_train)).detach().numpy()
print(predicted[:4].ravel(), predicted.dtype)
torch.save(model.state_dict(), "model.ckpt")
print(sorted(torch.load("model.ckpt").keys()))

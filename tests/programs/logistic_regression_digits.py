"""Logistic regression (one nn.Linear) on handwritten digits: DataLoader, CrossEntropyLoss, accuracy as a tensor.

After yunjey/pytorch-tutorial, tutorials/01-basics/logistic_regression/main.py @ 3008d88 (MIT). Written anew for
this suite; it keeps the original's calls (`images.reshape(-1, input_size)`, `torch.max(outputs.data, 1)`,
`correct += (predicted == labels).sum()` -- a tensor -- and `100 * correct / total` printed with `{}`).
Changed: MNIST (a download) is scikit-learn's bundled 8x8 digits (1500 to train, 297 to test); 3 epochs.
"""

import torch
import torch.nn as nn
from sklearn.datasets import load_digits

input_size, num_classes, num_epochs, batch_size, learning_rate = 8 * 8, 10, 3, 100, 0.01
digits = load_digits()
images = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
targets = torch.tensor(digits.target)
train_dataset = torch.utils.data.TensorDataset(images[:1500], targets[:1500])
test_dataset = torch.utils.data.TensorDataset(images[1500:], targets[1500:])
train_loader = torch.utils.data.DataLoader(dataset=train_dataset, batch_size=batch_size, shuffle=True)
test_loader = torch.utils.data.DataLoader(dataset=test_dataset, batch_size=batch_size, shuffle=False)

model = nn.Linear(input_size, num_classes)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.SGD(model.parameters(), lr=learning_rate)
total_step = len(train_loader)
for epoch in range(num_epochs):
    for i, (images, labels) in enumerate(train_loader):
        images = images.reshape(-1, input_size)
        loss = criterion(model(images), labels)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        if (i + 1) % 5 == 0:
            print("Epoch [{}/{}], Step [{}/{}], Loss: {:.4f}".format(epoch + 1, num_epochs, i + 1, total_step,
                                                                     loss.item()))

with torch.no_grad():
    correct = 0
    total = 0
    for images, labels in test_loader:
        images = images.reshape(-1, input_size)
        outputs = model(images)
        _, predicted = torch.max(outputs.data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum()
    print("Accuracy of the model on the {} test images: {} %".format(total, 100 * correct / total))

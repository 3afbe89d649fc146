"""A one-hidden-layer net on handwritten digits: nn.Module, Adam, CrossEntropyLoss, a device, accuracy.

After yunjey/pytorch-tutorial, tutorials/01-basics/feedforward_neural_network/main.py @ 78c6afe and
patrickloeber/pytorchTutorial, 13_feedforward.py @ 28e0e44 (both MIT). Written anew for this suite; it keeps
their calls (`torch.device('cuda' if torch.cuda.is_available() else 'cpu')`, `.to(device)`,
`images.reshape(-1, 8*8)`, `_, predicted = torch.max(outputs.data, 1)`, `(predicted == labels).sum().item()`,
`torch.save(model.state_dict(), 'model.ckpt')`). Changed: MNIST (a download) is scikit-learn's bundled 8x8 digits
(1500 to train, 297 to test); 2 epochs; 100 hidden units instead of 500.
"""

import torch
import torch.nn as nn
from sklearn.datasets import load_digits

device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
input_size, hidden_size, num_classes, num_epochs, batch_size, learning_rate = 64, 100, 10, 2, 100, 0.001
digits = load_digits()
images = torch.tensor(digits.images / 16.0, dtype=torch.float32).unsqueeze(1)
targets = torch.tensor(digits.target)
train_dataset = torch.utils.data.TensorDataset(images[:1500], targets[:1500])
test_dataset = torch.utils.data.TensorDataset(images[1500:], targets[1500:])
train_loader = torch.utils.data.DataLoader(dataset=train_dataset, batch_size=batch_size, shuffle=True)
test_loader = torch.utils.data.DataLoader(dataset=test_dataset, batch_size=batch_size, shuffle=False)


class NeuralNet(nn.Module):
    def __init__(self, input_size, hidden_size, num_classes):
        super(NeuralNet, self).__init__()
        self.fc1 = nn.Linear(input_size, hidden_size)
        self.relu = nn.ReLU()
        self.fc2 = nn.Linear(hidden_size, num_classes)

    def forward(self, x):
        return self.fc2(self.relu(self.fc1(x)))


model = NeuralNet(input_size, hidden_size, num_classes).to(device)
criterion = nn.CrossEntropyLoss()
optimizer = torch.optim.Adam(model.parameters(), lr=learning_rate)
total_step = len(train_loader)
for epoch in range(num_epochs):
    for i, (images, labels) in enumerate(train_loader):
        images = images.reshape(-1, 8 * 8).to(device)
        labels = labels.to(device)
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
        images = images.reshape(-1, 8 * 8).to(device)
        labels = labels.to(device)
        _, predicted = torch.max(model(images).data, 1)
        total += labels.size(0)
        correct += (predicted == labels).sum().item()
    print("Accuracy of the network on the {} test images: {} %".format(total, 100 * correct / total))
torch.save(model.state_dict(), "model.ckpt")

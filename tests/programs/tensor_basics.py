"""Tensor basics: creation, dtypes, arithmetic, indexing, view, the NumPy bridge (shared memory), torch vs NumPy.

After patrickloeber/pytorchTutorial, 02_tensor_basics.py @ bd8ec8d and MorvanZhou/PyTorch-Tutorial,
tutorial-contents/201_torch_numpy.py @ 4e5122c (both MIT). Written anew for this suite; it keeps their calls
(`torch.empty(2, 3)`, `torch.zeros(5, 3, dtype=torch.float16)`, `x.size()`, `torch.sub/mul/div`, `y.add_(x)`,
`x[:, 0]`, `x[1, 1].item()`, `x.view(-1, 8)`, `a.numpy()` then `a.add_(1)` showing the shared memory,
`torch.from_numpy` then `a += 1`, `torch.FloatTensor(data)`, `torch.abs/sin/mean`, `torch.mm`, the
`torch.cuda.is_available()` guard) and what they print. Changed: the uninitialised values of torch.empty are
not printed (only their shapes); the 2-d `tensor.dot` is the 1-d dot that PyTorch now requires.
"""

import numpy as np
import torch

for shape in [(1,), (3,), (2, 3), (2, 2, 3)]:
    print(torch.empty(*shape).shape)
x = torch.rand(5, 3)
print(x)
x = torch.zeros(5, 3)
print(x, x.size(), x.dtype)
x = torch.zeros(5, 3, dtype=torch.float16)
print(x, x.dtype)
x = torch.tensor([5.5, 3])
print(x.size(), torch.tensor([5.5, 3], requires_grad=True))

x, y = torch.rand(2, 2), torch.rand(2, 2)
print(x + y, torch.add(x, y))
y.add_(x)
print(y)
print(x - y, torch.sub(x, y), x * y, torch.mul(x, y), x / y, torch.div(x, y))

x = torch.rand(5, 3)
print(x[:, 0], x[1, :], x[1, 1], x[1, 1].item())
x = torch.randn(4, 4)
print(x.size(), x.view(16).size(), x.view(-1, 8).size())

a = torch.ones(5)
b = a.numpy()
print(a, b, type(b))
a.add_(1)
print(a, b)
a = np.ones(5)
b = torch.from_numpy(a)
a += 1
print(a, b)
if torch.cuda.is_available():
    device = torch.device("cuda")
    print(torch.ones_like(x, device=device))

np_data = np.arange(6).reshape((2, 3))
torch_data = torch.from_numpy(np_data)
print("\nnumpy array:", np_data, "\ntorch tensor:", torch_data, "\ntensor to array:", torch_data.numpy())
data = [-1, -2, 1, 2]
tensor = torch.FloatTensor(data)
print("\nabs", np.abs(data), torch.abs(tensor))
print("\nsin", np.sin(data), torch.sin(tensor))
print("\nmean", np.mean(data), torch.mean(tensor))
data = [[1, 2], [3, 4]]
tensor = torch.FloatTensor(data)
print("\nmatmul", np.matmul(data, data), torch.mm(tensor, tensor), tensor @ tensor)
print("\ndot", np.array(data).flatten().dot(np.array(data).flatten()), tensor.flatten().dot(tensor.flatten()))
print(tensor.type(), tensor.long().type(), torch.LongTensor([1, 2]).dtype)

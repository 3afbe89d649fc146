"""The old Variable wrapper and its gradient, and activation functions from torch.nn.functional.

After MorvanZhou/PyTorch-Tutorial, tutorial-contents/202_variable.py and 203_activation.py @ 4e5122c (MIT).
Written anew for this suite; they keep the originals' calls (`from torch.autograd import Variable`,
`Variable(tensor, requires_grad=True)`, `torch.mean(variable * variable)`, `variable.grad`, `variable.data`,
`variable.data.numpy()`, `F.relu/torch.sigmoid/torch.tanh/F.softplus` on `torch.linspace(-5, 5, 200)` and
`.data.numpy()`) and what they print. Changed: the activation plots are printed samples.
"""

import torch
import torch.nn.functional as F
from torch.autograd import Variable

tensor = torch.FloatTensor([[1, 2], [3, 4]])
variable = Variable(tensor, requires_grad=True)
print(tensor)
print(variable)
t_out = torch.mean(tensor * tensor)
v_out = torch.mean(variable * variable)
print(t_out)
print(v_out)
v_out.backward()
print(variable.grad)
print(variable)
print(variable.data)
print(variable.data.numpy())

x = torch.linspace(-5, 5, 200)
x = Variable(x)
x_np = x.data.numpy()
y_relu = F.relu(x).data.numpy()
y_sigmoid = torch.sigmoid(x).data.numpy()
y_tanh = torch.tanh(x).data.numpy()
y_softplus = F.softplus(x).data.numpy()
for name, y in [("relu", y_relu), ("sigmoid", y_sigmoid), ("tanh", y_tanh), ("softplus", y_softplus)]:
    print(name, y[::40], y.dtype)
print(x_np[::50])

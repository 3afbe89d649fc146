"""Learn a random degree-4 polynomial from random batches: F.smooth_l1_loss, fc.zero_grad(), p.data.add_().

After pytorch/examples, regression/main.py @ a4b0aba (BSD-3-Clause). Written anew for this suite; it keeps the
original's calls (`torch.randn(POLY_DEGREE, 1) * 5`, `x.unsqueeze(1)` and `torch.cat([x ** i ...], 1)`,
`x.mm(W_target) + b_target.item()`, `F.smooth_l1_loss(fc(batch_x), batch_y)`, `output.item()`, `fc.zero_grad()`,
`param.data.add_(-0.1 * param.grad)`, `'{:+.2f} x^{} '.format(w, i + 1)` on 0-d tensors) and what it prints.
Changed: 300 batches instead of "until the loss is below 1e-3" (float32 rounding decides the exact stopping
batch, which differs between libraries after hundreds of batches).
"""

import torch
import torch.nn.functional as F

POLY_DEGREE = 4
W_target = torch.randn(POLY_DEGREE, 1) * 5
b_target = torch.randn(1) * 5


def make_features(x):
    x = x.unsqueeze(1)
    return torch.cat([x ** i for i in range(1, POLY_DEGREE + 1)], 1)


def f(x):
    return x.mm(W_target) + b_target.item()


def poly_desc(W, b):
    result = "y = "
    for i, w in enumerate(W):
        result += "{:+.2f} x^{} ".format(w, i + 1)
    result += "{:+.2f}".format(b[0])
    return result


def get_batch(batch_size=32):
    x = make_features(torch.randn(batch_size))
    return x, f(x)


fc = torch.nn.Linear(W_target.size(0), 1)
for batch_idx in range(1, 301):
    batch_x, batch_y = get_batch()
    fc.zero_grad()
    output = F.smooth_l1_loss(fc(batch_x), batch_y)
    loss = output.item()
    output.backward()
    for param in fc.parameters():
        param.data.add_(-0.1 * param.grad)
    if batch_idx % 50 == 0:
        print("Loss: {:.6f} after {} batches".format(loss, batch_idx))
print("==> Learned function:\t" + poly_desc(fc.weight.view(-1), fc.bias))
print("==> Actual function:\t" + poly_desc(W_target.view(-1), b_target))

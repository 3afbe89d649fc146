"""A new activation with its own forward and backward, checked by gradcheck and used in a network.

"You can have any crazy layer as long as you can compute its gradient": softsign(x) = x / (1 + |x|),
whose derivative is 1 / (1 + |x|)².
Run:  python examples/custom_function.py
"""

import chainrule as cr
from chainrule.autograd import Function, gradcheck


class SoftSign(Function):
    @staticmethod
    def forward(ctx, x):
        ctx.save_for_backward(x)
        return x / (1 + x.abs())

    @staticmethod
    def backward(ctx, grad_output):  # ∂L/∂x = ∂L/∂y · 1/(1 + |x|)²
        (x,) = ctx.saved_tensors
        return grad_output / (1 + x.abs()) ** 2


softsign = SoftSign.apply

# 1. the derivative is right: compare with central finite differences (float64)
x = cr.randn(5, 3, dtype=cr.float64, requires_grad=True)
print("gradcheck:", gradcheck(softsign, [x]))

# 2. it drops into a network like any built-in op: fit y = sin(x) on [-3, 3]
cr.manual_seed(0)
X = cr.linspace(-3, 3, 64).reshape(-1, 1)
Y = X.sin()
W1, b1 = (cr.randn(1, 16) * 0.8).requires_grad_(), cr.zeros(16, requires_grad=True)
W2, b2 = (cr.randn(16, 1) * 0.3).requires_grad_(), cr.zeros(1, requires_grad=True)
for step in range(2001):
    hidden = softsign(X @ W1 + b1)
    pred = hidden @ W2 + b2
    loss = ((pred - Y) ** 2).mean()
    for p in (W1, b1, W2, b2):
        p.grad = None
    loss.backward()
    with cr.no_grad():
        for p in (W1, b1, W2, b2):
            p -= 0.1 * p.grad
    if step % 400 == 0:
        print(f"step {step:4d}  loss {loss.item():.5f}")
print("the hidden layer's node in the graph:", hidden.grad_fn.name())

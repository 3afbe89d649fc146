"""XOR with a 2-layer tanh network, written with nothing but chainrule tensors and the chain rule.

No hidden layer cannot separate XOR (it is not linearly separable); one hidden layer of tanh units can.
Run:  python examples/xor.py
"""

import chainrule as cr

cr.manual_seed(0)
X = cr.tensor([[0.0, 0.0], [0.0, 1.0], [1.0, 0.0], [1.0, 1.0]])
y = cr.tensor([[0.0], [1.0], [1.0], [0.0]])

# 2 inputs -> 4 tanh units -> 1 output; small random weights break the symmetry between the units
W1 = (cr.randn(2, 4) * 0.5).requires_grad_()
b1 = cr.zeros(4, requires_grad=True)
W2 = (cr.randn(4, 1) * 0.5).requires_grad_()
b2 = cr.zeros(1, requires_grad=True)
params = [W1, b1, W2, b2]
lr = 0.5

for step in range(501):
    h = (X @ W1 + b1).tanh()  # hidden layer
    out = (h @ W2 + b2).sigmoid()  # probability of class 1
    loss = ((out - y) ** 2).mean()  # mean squared error
    for p in params:
        p.grad = None
    loss.backward()  # ∂loss/∂p for every parameter, by the chain rule
    with cr.no_grad():
        for p in params:
            p -= lr * p.grad  # gradient descent
    if step % 50 == 0:
        print(f"step {step:4d}  loss {loss.item():.4f}")

print("\npredictions (target -> output):")
for xi, ti, oi in zip(X.tolist(), y.tolist(), out.tolist()):
    print(f"  x = {xi}  target {ti[0]:.0f}  ->  {oi[0]:.3f}")

"""Compare a chainrule module with its torch.nn twin: same weights (moved through state_dict), float64
inputs; outputs, input gradients and parameter gradients must agree."""

import numpy as np
import torch

import chainrule as cr


def torch_to_chainrule(tmod, cmod):
    """Load torch's state_dict (as NumPy arrays) into the chainrule module; returns the module."""
    cmod.load_state_dict({k: v.detach().numpy() for k, v in tmod.state_dict().items()})
    return cmod


def compare_module(cmod, tmod, *input_shapes, targets=(), seed=0, atol=1e-9, rtol=1e-7, steps=1):
    """Run both modules ``steps`` times on fresh random inputs (float64) and compare everything.
    ``targets``: extra non-differentiable arguments (arrays) passed after the inputs."""
    tmod = tmod.double()
    cmod.to(cr.float64)
    torch_to_chainrule(tmod, cmod)
    rng = np.random.default_rng(seed)
    for _ in range(steps):
        xs = [rng.standard_normal(s) for s in input_shapes]
        cx = [cr.tensor(x, requires_grad=True) for x in xs]
        tx = [torch.tensor(x, requires_grad=True) for x in xs]
        cy = cmod(*cx, *[cr.tensor(t) for t in targets])
        ty = tmod(*tx, *[torch.tensor(t) for t in targets])
        np.testing.assert_allclose(cy.numpy(), ty.detach().numpy(), atol=atol, rtol=rtol, err_msg="forward")
        v = rng.standard_normal(ty.shape)
        cmod.zero_grad()
        tmod.zero_grad()
        cy.backward(cr.tensor(v))
        ty.backward(torch.tensor(v))
        for i, (c, t) in enumerate(zip(cx, tx)):
            np.testing.assert_allclose(c.grad.numpy(), t.grad.numpy(), atol=atol, rtol=rtol,
                                       err_msg=f"input {i} grad")
        tparams = dict(tmod.named_parameters())
        cparams = dict(cmod.named_parameters())
        assert list(cparams) == list(tparams)
        for name, p in cparams.items():
            tg = tparams[name].grad
            if tg is None:
                assert p.grad is None or not p.grad.numpy().any(), name
                continue
            np.testing.assert_allclose(p.grad.numpy(), tg.numpy(), atol=atol, rtol=rtol, err_msg=f"grad {name}")
        for name, b in tmod.state_dict().items():
            np.testing.assert_allclose(cmod.state_dict()[name].numpy(), b.numpy(), atol=atol, rtol=rtol,
                                       err_msg=f"state {name}")
    return cy, ty

"""nn.utils.l1_penalty / l2_penalty: values and gradients against torch."""

import numpy as np
import pytest

import chainrule.nn as nn
from oracle import check_op


def test_penalties_match_torch():
    check_op([(3, 4), (4,)], lambda a, b: nn.utils.l1_penalty([a, b]),
             lambda a, b: a.abs().sum() + b.abs().sum())
    check_op([(3, 4), (4,)], lambda a, b: nn.utils.l2_penalty([a, b]),
             lambda a, b: 0.5 * ((a ** 2).sum() + (b ** 2).sum()))


def test_l2_penalty_gradient_is_the_weight():
    model = nn.Linear(3, 2)
    nn.utils.l2_penalty(model.parameters()).backward()
    np.testing.assert_allclose(model.weight.grad.numpy(), model.weight.numpy())
    model.zero_grad()
    nn.utils.l1_penalty(model.parameters()).backward()
    np.testing.assert_array_equal(model.bias.grad.numpy(), np.sign(model.bias.numpy()))
    with pytest.raises(ValueError, match="no parameters"):
        nn.utils.l1_penalty([])

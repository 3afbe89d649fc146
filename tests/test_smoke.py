from oracle import check_op


def test_mul_broadcast():
    check_op([(3, 4), (4,)], lambda x, y: x * y)

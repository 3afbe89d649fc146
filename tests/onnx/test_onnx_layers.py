"""chainrule → onnxruntime for every layer type of chainrule.nn an MLP uses: onnx.checker passes, the batch
axis is dynamic (run at another batch size than the export's) and the outputs match to 1e-5."""

import numpy as np
import pytest
from onnx_check import TOL, export_and_compare

import chainrule as cr
import chainrule.nn as nn

RNG = np.random.default_rng(0)


def x(*shape, scale=3.0):
    return (RNG.normal(size=shape) * scale).astype(np.float32)


# (name, module factory, input shape after the batch axis); inputs are N(0, 3²) to reach both sides of
# every kink, Softplus's threshold and Hardtanh's edges
LAYERS = [
    ("Linear", lambda: nn.Linear(5, 4), (5,)),
    ("Linear_no_bias", lambda: nn.Linear(5, 4, bias=False), (5,)),
    ("Linear_3d", lambda: nn.Linear(5, 4), (3, 5)),
    ("Identity", lambda: nn.Identity(), (5,)),
    ("Dropout", lambda: nn.Dropout(0.5), (5,)),
    ("Flatten", lambda: nn.Flatten(), (2, 3)),
    ("Flatten_middle", lambda: nn.Flatten(1, 2), (2, 3, 2)),
    ("Unflatten", lambda: nn.Unflatten(1, (2, 3)), (6,)),
    ("ReLU", lambda: nn.ReLU(), (5,)),
    ("Sigmoid", lambda: nn.Sigmoid(), (5,)),
    ("Tanh", lambda: nn.Tanh(), (5,)),
    ("LeakyReLU", lambda: nn.LeakyReLU(0.2), (5,)),
    ("PReLU", lambda: nn.PReLU(), (5,)),
    ("PReLU_channels", lambda: nn.PReLU(5, init=0.1), (5,)),
    ("PReLU_channels_3d", lambda: nn.PReLU(4, init=0.3), (4, 3)),
    ("ELU", lambda: nn.ELU(0.7), (5,)),
    ("SELU", lambda: nn.SELU(), (5,)),
    ("GELU", lambda: nn.GELU(), (5,)),
    ("GELU_tanh", lambda: nn.GELU("tanh"), (5,)),
    ("SiLU", lambda: nn.SiLU(), (5,)),
    ("Softplus", lambda: nn.Softplus(), (5,)),
    ("Softplus_beta_threshold", lambda: nn.Softplus(beta=2.0, threshold=3.0), (5,)),
    ("Hardtanh", lambda: nn.Hardtanh(-0.5, 2.0), (5,)),
    ("ReLU6", lambda: nn.ReLU6(), (5,)),
    ("LogSigmoid", lambda: nn.LogSigmoid(), (5,)),
    ("Softsign", lambda: nn.Softsign(), (5,)),
    ("Softmax", lambda: nn.Softmax(dim=1), (5,)),
    ("Softmax_last_dim_3d", lambda: nn.Softmax(dim=-1), (3, 5)),
    ("LogSoftmax", lambda: nn.LogSoftmax(dim=1), (5,)),
    ("Softmin", lambda: nn.Softmin(dim=1), (5,)),
    ("BatchNorm1d", lambda: nn.BatchNorm1d(5), (5,)),
    ("BatchNorm1d_3d", lambda: nn.BatchNorm1d(4), (4, 3)),
    ("BatchNorm1d_no_affine", lambda: nn.BatchNorm1d(5, affine=False), (5,)),
    ("BatchNorm1d_no_running_stats", lambda: nn.BatchNorm1d(5, track_running_stats=False), (5,)),
    ("LayerNorm", lambda: nn.LayerNorm(5), (5,)),
    ("LayerNorm_2d_shape", lambda: nn.LayerNorm((3, 5)), (3, 5)),
    ("LayerNorm_no_affine", lambda: nn.LayerNorm(5, elementwise_affine=False), (5,)),
    ("LayerNorm_no_bias", lambda: nn.LayerNorm(5, bias=False), (5,)),
]


def prepared(factory, shape):
    """The module with non-trivial state: BatchNorm's running statistics from training batches, and
    affine parameters moved away from their initial ones and zeros."""
    m = factory()
    if any(isinstance(mod, nn.BatchNorm1d) for mod in m.modules()):
        m.train()
        for _ in range(3):
            m(cr.from_numpy(x(16, *shape) + 1.0))
    with cr.no_grad():
        for p in m.parameters():
            p.add_(cr.from_numpy(x(*p.shape, scale=0.2)))
    return m


@pytest.mark.parametrize("name,factory,shape", LAYERS, ids=[c[0] for c in LAYERS])
def test_layer_matches_onnxruntime(name, factory, shape):
    m = prepared(factory, shape)
    diff, proto = export_and_compare(m, cr.from_numpy(x(2, *shape)), x(7, *shape))
    assert diff < TOL, f"{name}: max |onnxruntime − chainrule| = {diff:.3g}"


@pytest.mark.parametrize("opset", [13, 16, 17, 20])
@pytest.mark.parametrize("name", ["GELU", "GELU_tanh", "LayerNorm", "LayerNorm_2d_shape", "BatchNorm1d_3d",
                                  "BatchNorm1d_no_running_stats", "Softmax", "Unflatten"])
def test_opset_specific_converters(name, opset):
    """Gelu is one operator from opset 20 and LayerNormalization from 17; ReduceMean's axes move from an
    attribute to an input at 18: each path is checked."""
    _, factory, shape = next(c for c in LAYERS if c[0] == name)
    diff, proto = export_and_compare(prepared(factory, shape), cr.from_numpy(x(2, *shape)), x(5, *shape), opset=opset)
    assert diff < TOL
    assert proto.opset_import[0].version == opset
    ops = {n.op_type for n in proto.graph.node}
    if name.startswith("GELU"):
        assert ("Gelu" in ops) == (opset >= 20)
    if name.startswith("LayerNorm"):
        assert ("LayerNormalization" in ops) == (opset >= 17)


@pytest.mark.parametrize("padding_idx", [None, 0])
def test_embedding(padding_idx):
    m = nn.Embedding(10, 4, padding_idx=padding_idx)
    idx = RNG.integers(0, 10, size=(6, 3)).astype(np.int64)
    diff, proto = export_and_compare(m, cr.tensor(idx[:2]), idx)
    assert diff == 0.0 and proto.graph.input[0].type.tensor_type.elem_type == 7  # int64
    assert [n.op_type for n in proto.graph.node] == ["Gather"]


def test_embedding_into_an_mlp():
    class Bag(nn.Module):
        def __init__(self):
            super().__init__()
            self.emb = nn.Embedding(20, 8)
            self.mlp = nn.Sequential(nn.Flatten(), nn.Linear(24, 16), nn.LayerNorm(16), nn.GELU(), nn.Linear(16, 3))

        def forward(self, idx):
            return self.mlp(self.emb(idx))

    idx = RNG.integers(0, 20, size=(9, 3)).astype(np.int64)
    diff, _ = export_and_compare(Bag(), cr.tensor(idx[:1]), idx)
    assert diff < TOL


def test_initializers_are_named_by_state_dict_keys_and_the_graph_reads_like_torch():
    m = prepared(lambda: nn.Sequential(nn.Linear(5, 8), nn.BatchNorm1d(8), nn.ReLU(), nn.Dropout(0.1),
                                       nn.Linear(8, 3)), (5,))
    diff, proto = export_and_compare(m, cr.from_numpy(x(2, 5)), x(4, 5))
    assert diff < TOL
    inits = {i.name for i in proto.graph.initializer}
    assert set(m.state_dict()) - {"1.num_batches_tracked"} == inits
    assert [n.op_type for n in proto.graph.node] == ["Gemm", "BatchNormalization", "Relu", "Identity", "Gemm"]
    assert [n.name for n in proto.graph.node][:2] == ["/0/Gemm", "/1/BatchNormalization"]
    assert proto.producer_name == "chainrule"


def test_float64_model():
    m = nn.Sequential(nn.Linear(5, 6), nn.Tanh(), nn.LayerNorm(6), nn.Linear(6, 2)).double()
    diff, proto = export_and_compare(m, cr.from_numpy(x(2, 5).astype(np.float64)), x(6, 5).astype(np.float64))
    assert diff < 1e-12 and proto.graph.input[0].type.tensor_type.elem_type == 11  # double


def test_training_mode_is_restored_after_export():
    m = nn.Sequential(nn.Linear(5, 5), nn.Dropout(0.5), nn.Sequential(nn.BatchNorm1d(5), nn.Dropout(0.2)))
    m.train()
    m[2][1].eval()  # a mixed state comes back as it was
    export_and_compare(m, cr.from_numpy(x(4, 5)), x(3, 5))
    assert [mod.training for mod in m.modules()] == [False] * 6  # export_and_compare's own eval()
    m.train()
    m[2][1].eval()
    import io

    import chainrule.onnx

    chainrule.onnx.export(m, cr.from_numpy(x(4, 5)), io.BytesIO())
    assert [mod.training for mod in m.modules()] == [True, True, True, True, True, False]

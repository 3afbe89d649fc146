"""Devices as in PyTorch, checked without a GPU: chainrule's CUDA module is replaced by a CPU double of CuPy
(tests/fake_cupy.py) whose arrays refuse to mix with host arrays, as CuPy's do. On a machine with a GPU,
tests/gpu/ run the same things on real CUDA tensors."""

import numpy as np
import pytest

import chainrule as cr
from chainrule import nn, optim
from fake_cupy import installed


def test_without_a_gpu_cuda_names_exist_and_using_them_says_why_not():
    d = cr.device("cuda")
    assert (d.type, d.index, str(cr.device("cuda:1")), repr(d)) == ("cuda", None, "cuda:1", "device(type='cuda')")
    if not cr.cuda.is_available():
        assert cr.cuda.device_count() == 0
        with pytest.raises(RuntimeError, match="no CUDA GPU is available"):
            cr.zeros(2, device="cuda")
        with pytest.raises(RuntimeError, match="no CUDA GPU is available"):
            cr.ones(2).to("cuda")


def test_tensors_move_and_report_their_device():
    with installed():
        x = cr.randn(3, 4, device="cuda")
        assert x.is_cuda and x.device == cr.device("cuda:0") and str(x.device) == "cuda:0"
        assert "device='cuda:0'" in repr(x) and x.sum().item() == pytest.approx(float(x.cpu().numpy().sum()))
        with pytest.raises(TypeError, match=r"can't convert cuda:0 device type tensor to numpy.*Tensor.cpu\(\)"):
            x.numpy()
        h = x.cpu()
        assert not h.is_cuda and h.device == cr.device("cpu") and x.tolist() == h.tolist()
        for make in (cr.zeros, cr.ones, cr.empty, cr.rand):
            assert make(2, 3, device="cuda").is_cuda
        assert cr.zeros_like(x).is_cuda and cr.randn_like(x).is_cuda and cr.full((2,), 7.0, device="cuda").is_cuda
        assert cr.tensor([1.0, 2.0], device="cuda").is_cuda and cr.arange(3).cuda().is_cuda


def test_mixing_devices_in_one_op_raises_torchs_error_naming_the_op():
    with installed():
        a, b = cr.ones(2, device="cuda"), cr.ones(2)
        with pytest.raises(RuntimeError, match=r"Expected all tensors to be on the same device, but found at least "
                                               r"two devices, cuda:0 and cpu! \(in add"):
            a + b
        with pytest.raises(RuntimeError, match="same device.*in linear"):
            nn.Linear(2, 1)(a.reshape(1, 2))


def test_gradients_flow_back_across_a_move():
    with installed():
        w = cr.tensor([1.0, 2.0, 3.0], requires_grad=True)
        y = (w.to("cuda") * 2).sum()
        y.backward()
        assert not w.grad.is_cuda and w.grad.tolist() == [2.0, 2.0, 2.0]


def test_a_model_trains_on_the_device_as_on_the_cpu():
    x = np.random.default_rng(0).standard_normal((16, 4)).astype(np.float32)
    y = np.random.default_rng(1).integers(0, 3, 16)

    def train(device):
        cr.manual_seed(0)
        model = nn.Sequential(nn.Linear(4, 8), nn.ReLU(), nn.Linear(8, 3)).to(device)
        opt = optim.Adam(model.parameters(), lr=0.01)
        xs, ys = cr.tensor(x).to(device), cr.tensor(y).to(device)
        losses = []
        for _ in range(4):
            opt.zero_grad()
            loss = nn.CrossEntropyLoss()(model(xs), ys)
            loss.backward()
            opt.step()
            losses.append(loss.item())
        return losses, model, opt

    cpu_losses, _, _ = train("cpu")
    with installed():
        gpu_losses, model, opt = train("cuda")
        assert all(p.is_cuda for p in model.parameters())
        assert all(t.is_cuda for st in opt.state.values() for t in st.values())  # state lives with its parameter
        sd = model.state_dict()
        assert all(v.is_cuda for v in sd.values())
    np.testing.assert_allclose(gpu_losses, cpu_losses, rtol=1e-6)


def test_save_and_load_move_through_the_host(tmp_path):
    with installed():
        model = nn.Linear(3, 2).cuda()
        cr.save(model.state_dict(), tmp_path / "m.ckpt")
        back = cr.load(tmp_path / "m.ckpt")
        assert not back["weight"].is_cuda
        np.testing.assert_array_equal(back["weight"].numpy(), model.weight.cpu().numpy())
        on_gpu = cr.load(tmp_path / "m.ckpt", map_location="cuda")
        assert on_gpu["weight"].is_cuda
        fresh = nn.Linear(3, 2).cuda()
        fresh.load_state_dict(back)  # a host state_dict into a model on the device
        assert fresh.weight.is_cuda and fresh.weight.tolist() == model.weight.tolist()


def test_dataloader_batches_stay_on_the_host_and_dropout_draws_on_the_device():
    with installed():
        loader = cr.data.DataLoader(cr.data.TensorDataset(cr.randn(8, 2), cr.arange(8)), batch_size=4,
                                    pin_memory=True)
        assert not any(t.is_cuda for batch in loader for t in batch)
        x = cr.ones(200, device="cuda")
        kept = nn.functional.dropout(x, 0.5, training=True)
        assert kept.is_cuda and 0.3 < float((kept != 0).float().mean()) < 0.7


def test_a_cpu_capture_refuses_cuda_tensors():
    with installed():
        x = cr.ones(2, device="cuda")
        with pytest.raises(cr.CaptureError, match="cuda.graph"):
            with cr.graph(cr.Graph()):
                x * 2

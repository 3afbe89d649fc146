"""chainrule on a CUDA GPU (``make test-gpu``): training against the CPU in float64, optimizer state on the
device, checkpoints across devices, and a captured step (``chainrule.cuda.CUDAGraph``) whose replays give the
eager losses. Without CuPy and a GPU every test here skips, saying so.

The op-by-op parity with torch runs on the GPU too: ``make test-gpu`` also runs the op suites with
``CHAINRULE_TEST_DEVICE=cuda`` (tests/oracle.py puts the chainrule side on the device). Under
``CHAINRULE_TEST_DEVICE=fake`` these tests run on tests/fake_cupy.py's CPU double (the capture test skips:
the double has no CUDA streams)."""

import numpy as np
import pytest

import chainrule as cr
import chainrule.nn as nn
from chainrule.engine import backend

if not cr.cuda.is_available():
    pytest.skip("no CUDA GPU visible to chainrule (CuPy missing or no device): GPU tests skipped",
                allow_module_level=True)

FAKE = type(backend.cuda_module()).__name__ == "SimpleNamespace"  # tests/fake_cupy.py's double


def mlp(dtype=cr.float64, widths=(20, 32, 32, 4)):
    cr.manual_seed(0)
    layers = []
    for a, b in zip(widths[:-1], widths[1:]):
        layers += [nn.Linear(a, b, dtype=dtype), nn.Tanh()]
    return nn.Sequential(*layers[:-1])


def data(n=64, dtype=np.float64):
    rng = np.random.default_rng(0)
    x = rng.standard_normal((n, 20)).astype(dtype)
    return cr.from_numpy(x), cr.from_numpy(rng.integers(0, 4, n))


@pytest.mark.parametrize("make_opt", [lambda p: cr.optim.SGD(p, lr=0.1, momentum=0.9, nesterov=True),
                                      lambda p: cr.optim.Adam(p, lr=0.01),
                                      lambda p: cr.optim.RMSprop(p, lr=0.01, momentum=0.5),
                                      lambda p: cr.optim.Adagrad(p, lr=0.1),
                                      lambda p: cr.optim.Adadelta(p, lr=1.0)])
def test_training_on_the_gpu_follows_the_cpu_in_float64(make_opt):
    losses = {}
    for device in ("cpu", "cuda"):
        model = mlp().to(device)
        opt = make_opt(model.parameters())
        x, y = (t.to(device) for t in data())
        run = []
        for _ in range(6):
            opt.zero_grad()
            loss = nn.functional.cross_entropy(model(x), y)
            loss.backward()
            opt.step()
            run.append(loss.item())
        losses[device] = run
        for state in opt.state.values():  # optimizer state lives with its parameters
            for v in state.values():
                if isinstance(v, cr.Tensor) and v.dim() > 0:
                    assert v.device.type == device
    np.testing.assert_allclose(losses["cuda"], losses["cpu"], rtol=1e-10, atol=1e-12)


def test_checkpoints_move_between_devices(tmp_path):
    model = mlp().cuda()
    cr.save(model.state_dict(), tmp_path / "m.safetensors")
    cr.save(model.state_dict(), tmp_path / "m.ckpt")
    for name in ("m.safetensors", "m.ckpt"):
        on_cpu = cr.load(tmp_path / name, map_location="cpu")
        on_gpu = cr.load(tmp_path / name, map_location="cuda")
        for k, v in model.state_dict().items():
            assert on_cpu[k].device.type == "cpu" and on_gpu[k].device.type == "cuda"
            np.testing.assert_array_equal(on_cpu[k].numpy(), v.cpu().numpy())


def test_torch_errors_for_host_reads_and_mixed_devices():
    x = cr.ones(3, device="cuda")
    with pytest.raises(TypeError, match="can't convert cuda:0 device type tensor to numpy"):
        x.numpy()
    assert x.sum().item() == 3.0 and x.tolist() == [1.0, 1.0, 1.0]
    with pytest.raises(RuntimeError, match="Expected all tensors to be on the same device.*cuda:0 and cpu"):
        x + cr.ones(3)


@pytest.mark.skipif(FAKE, reason="the CPU double of CuPy has no CUDA stream capture")
@pytest.mark.parametrize("opt_name", ["sgd", "adam"])
def test_a_captured_step_replays_the_eager_losses(opt_name):
    """torch's recipe: warm up eagerly, capture forward + backward + step on static tensors, then copy each
    batch into them and replay. The replayed losses equal an eager run's step by step."""
    rng = np.random.default_rng(1)
    batches = [(cr.from_numpy(rng.standard_normal((256, 20)).astype(np.float32)),
                cr.from_numpy(rng.integers(0, 4, 256))) for _ in range(8)]

    def make():
        model = mlp(cr.float32).cuda()
        opt = (cr.optim.SGD(model.parameters(), lr=0.05, momentum=0.9) if opt_name == "sgd"
               else cr.optim.Adam(model.parameters(), lr=1e-3, capturable=True))
        return model, opt

    def step(model, opt, x, y):
        opt.zero_grad(set_to_none=False)
        loss = nn.functional.cross_entropy(model(x), y)
        loss.backward()
        opt.step()
        return loss

    model, opt = make()
    eager = [step(model, opt, x.cuda(), y.cuda()).item() for x, y in batches]

    model, opt = make()
    static_x, static_y = batches[0][0].cuda(), batches[0][1].cuda()
    first = [step(model, opt, static_x, static_y).item()]  # warm-up: state and .grad allocated eagerly
    g = cr.cuda.CUDAGraph()
    with cr.cuda.graph(g):
        static_loss = step(model, opt, static_x, static_y)
    replayed = []
    for x, y in batches[1:]:
        static_x.copy_(x.cuda())
        static_y.copy_(y.cuda())
        g.replay()
        replayed.append(static_loss.item())
    np.testing.assert_allclose(first + replayed, eager, rtol=1e-5, atol=1e-6)

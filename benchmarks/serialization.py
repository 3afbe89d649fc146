"""Save/load benchmark: a model's state_dict as chainrule's checkpoint format vs safetensors, in one process.

The model is an MLP 784 → 2048 → 2048 → 10 (5,824,522 float32 parameters, 23 MB), the size the issue that
asked for safetensors measured. Variants, each saving ``model.state_dict()`` to a file and loading it back:

    chainrule     chainrule.save(sd, "m.ckpt") / chainrule.load: the zip of .npy arrays with a SHA-256 per
                  array (the training-checkpoint format)
    safetensors   chainrule.save(sd, "m.safetensors") / chainrule.load: chainrule's own NumPy reader/writer
    reference     the safetensors package's NumPy API (save_file / load_file), when installed: the same
                  bytes; it does not fsync, while both chainrule writers do (atomic: temp file, fsync,
                  rename), so its save is not the same work

Rounds are interleaved (each round saves and loads every variant) and the median round is reported; the
machine is shared and noisy, so only ratios within one run mean anything. Results:
benchmarks/results/serialization.json.

    python benchmarks/serialization.py [--rounds 9] [--dir /tmp]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import tempfile
import time
from pathlib import Path


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--rounds", type=int, default=9)
    ap.add_argument("--dir", default=None, help="where the files are written (default: a temporary folder)")
    ap.add_argument("--out", default=str(Path(__file__).parent / "results" / "serialization.json"))
    args = ap.parse_args()

    import numpy as np

    import chainrule as cr
    from chainrule import nn

    cr.manual_seed(0)
    model = nn.Sequential(nn.Linear(784, 2048), nn.ReLU(), nn.Linear(2048, 2048), nn.ReLU(), nn.Linear(2048, 10))
    sd = model.state_dict()
    n_params = sum(p.numel() for p in model.parameters())
    try:
        import safetensors.numpy as reference
    except ImportError:
        reference = None

    def variants(d):
        out = {
            "chainrule": (lambda: cr.save(sd, os.path.join(d, "m.ckpt")), lambda: cr.load(os.path.join(d, "m.ckpt"))),
            "safetensors": (lambda: cr.save(sd, os.path.join(d, "m.safetensors")),
                            lambda: cr.load(os.path.join(d, "m.safetensors"))),
        }
        if reference is not None:
            arrays = {k: v.numpy() for k, v in sd.items()}
            out["reference"] = (lambda: reference.save_file(arrays, os.path.join(d, "r.safetensors")),
                                lambda: reference.load_file(os.path.join(d, "r.safetensors")))
        return out

    times = {}
    with tempfile.TemporaryDirectory(dir=args.dir) as d:
        vs = variants(d)
        for name, (save, load) in vs.items():  # warm-up, and a check that every variant reads back the weights
            save()
            back = load()
            assert all(np.array_equal(np.asarray(back[k].numpy() if hasattr(back[k], "numpy") else back[k]),
                                      sd[k].numpy()) for k in sd), name
            times[name] = {"save": [], "load": []}
        for _ in range(args.rounds):
            for name, (save, load) in vs.items():
                t0 = time.perf_counter()
                save()
                t1 = time.perf_counter()
                load()
                t2 = time.perf_counter()
                times[name]["save"].append(round((t1 - t0) * 1000, 2))
                times[name]["load"].append(round((t2 - t1) * 1000, 2))
        sizes = {name: os.path.getsize(os.path.join(d, f)) for name, f in
                 (("chainrule", "m.ckpt"), ("safetensors", "m.safetensors"))}
    med = {name: {k: statistics.median(v) for k, v in t.items()} for name, t in times.items()}
    result = {
        "benchmark": f"save/load of an MLP 784-2048-2048-10 state_dict ({n_params:,} float32 parameters), ms",
        "median_ms": med,
        "ratios": {
            "chainrule format / safetensors, save": round(med["chainrule"]["save"] / med["safetensors"]["save"], 2),
            "chainrule format / safetensors, load": round(med["chainrule"]["load"] / med["safetensors"]["load"], 2),
            **({"safetensors / reference package, load": round(med["safetensors"]["load"] / med["reference"]["load"],
                                                                2)} if "reference" in med else {}),
        },
        "file_bytes": sizes,
        "rounds": args.rounds,
        "all_rounds_ms": times,
        "machine": {"python": platform.python_version(), "numpy": np.__version__, "cpus": os.cpu_count(),
                    "platform": platform.platform()},
    }
    Path(args.out).parent.mkdir(parents=True, exist_ok=True)
    Path(args.out).write_text(json.dumps(result, indent=2) + "\n")
    for name, m in med.items():
        print(f"{name:12s} save {m['save']:8.1f} ms   load {m['load']:8.1f} ms")
    print(json.dumps(result["ratios"], indent=2))


if __name__ == "__main__":
    main()

"""``chainrule export``: a trained run's model as ONNX (for onnxruntime and other runtimes) and/or safetensors
(for PyTorch and other libraries).

    chainrule export --run runs/digits-20250101-120000 --onnx digits.onnx --safetensors digits.safetensors

The ONNX file takes the run's input columns as ``chainrule predict`` reads them from a CSV (the
standardisation is part of the graph; ``--no-preprocess`` leaves it out) and returns the model's outputs
(``logits`` for classification, ``prediction`` for regression), with a dynamic batch axis. Its metadata
(``metadata_props``) names the task, the input columns and the classes. When onnxruntime is installed the
file is run on the run's test split and compared with chainrule. The safetensors file holds the model's
state_dict (torch's keys); its ``__metadata__`` holds the same description as JSON under "chainrule".
"""

from __future__ import annotations

import argparse
import io
import json

from .cli import error

_EPILOG = """examples:
  chainrule export --run runs/digits-20250101-120000 --onnx digits.onnx
  chainrule export --run runs/digits-20250101-120000 --safetensors digits.safetensors
  chainrule export --run RUN_DIR --onnx model.onnx --opset 20 --no-preprocess
"""


def add_parser(subparsers):
    p = subparsers.add_parser(
        "export", help="export a saved run's model as ONNX and/or safetensors",
        description="Export the model of a run saved by chainrule train.\n\n"
                    "--onnx writes an ONNX file that takes the run's raw input columns (checked with onnx.checker,\n"
                    "and against chainrule on the test split when onnxruntime is installed);\n"
                    "--safetensors writes the weights (the state_dict, torch's keys) for PyTorch.",
        epilog=_EPILOG, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--run", required=True, metavar="RUN_DIR", help="the run folder")
    p.add_argument("--onnx", metavar="FILE.onnx", help="write the model as ONNX (needs: pip install "
                   "'chainrule[export]')")
    p.add_argument("--safetensors", metavar="FILE.safetensors", help="write the weights as safetensors")
    p.add_argument("--opset", type=int, default=None, metavar="N", help="ONNX opset version (default 17)")
    p.add_argument("--no-preprocess", dest="preprocess", action="store_false",
                   help="ONNX: leave the standardisation out (the input is then already standardised)")
    p.set_defaults(func=run)
    return p


def _error(msg):
    return error("export", msg)


def describe(run, preprocess):
    """What a consumer of the exported file needs to know, as plain JSON values."""
    d = {"task": run.task, "inputs": list(run.feature_names), "classes": list(run.class_names),
         "features": run.features, "dataset": run.config["dataset"], "epochs": run.epoch}
    if run.scaler is not None:
        d["standardized_in_graph" if preprocess else "standardize"] = {
            "mean": [float(v) for v in run.scaler.mean], "std": [float(v) for v in run.scaler.std]}
    return d


def with_preprocessing(run):
    """The run's model behind (x − mean)/std with the training statistics, as buffers (a traced module)."""
    import numpy as np

    import chainrule as cr

    class Standardized(cr.nn.Module):
        def __init__(self, model, mean, std):
            super().__init__()
            self.model = model
            self.register_buffer("mean", cr.from_numpy(np.asarray(mean, dtype=np.float32)))
            self.register_buffer("std", cr.from_numpy(np.asarray(std, dtype=np.float32)))

        def forward(self, x):
            return self.model((x - self.mean) / self.std)

    return Standardized(run.model, run.scaler.mean, run.scaler.std)


def run(args) -> int:
    if not args.onnx and not args.safetensors:
        return _error("nothing to write: give --onnx FILE.onnx and/or --safetensors FILE.safetensors")
    from .train.saved import load_run

    try:
        r = load_run(args.run)
    except (FileNotFoundError, ValueError) as e:
        return _error(e)
    try:
        if args.safetensors:
            from .safetensors import save_file

            meta = {"format": "pt", "chainrule": json.dumps(describe(r, preprocess=False))}
            save_file(r.model.state_dict(), args.safetensors, metadata=meta)
            n = sum(p.numel() for p in r.model.parameters())
            print(f"wrote {args.safetensors}: {len(r.model.state_dict())} tensors, {n:,} parameters "
                  f"(load in PyTorch: model.load_state_dict(safetensors.torch.load_file(path)))")
        if args.onnx:
            return _export_onnx(r, args)
    except (ImportError, ValueError, TypeError, OSError) as e:
        return _error(e)
    return 0


def _export_onnx(r, args):
    import numpy as np

    import chainrule as cr
    import chainrule.onnx

    pre = args.preprocess and r.scaler is not None
    model = with_preprocessing(r) if pre else r.model
    out = "logits" if r.task == "classification" else "prediction"
    example = cr.zeros(1, len(r.feature_names))
    buf = io.BytesIO()
    proto = chainrule.onnx.export(model, example, buf, input_names=["input"], output_names=[out],
                                  opset_version=args.opset, dynamic_axes={"input": {0: "batch"}, out: {0: "batch"}})
    for k, v in describe(r, pre).items():
        proto.metadata_props.add(key=k, value=json.dumps(v))
    chainrule.onnx.write(proto, args.onnx)
    print(f"wrote {args.onnx}: opset {proto.opset_import[0].version}, input 'input' (batch, "
          f"{len(r.feature_names)}){' raw' if pre else ' standardised'}, output '{out}', "
          f"{len(proto.graph.node)} nodes")
    try:
        import onnxruntime as ort
    except ImportError:
        print("  (pip install onnxruntime to check the file against chainrule)")
        return 0
    try:
        X = r.data.test.tensors[0].numpy()
    except (FileNotFoundError, ValueError) as e:
        print(f"  (not checked against onnxruntime: the run's data cannot be loaded: {e})")
        return 0
    feed = r.scaler.inverse_transform(X).astype(np.float32) if pre else X.astype(np.float32)
    got = ort.InferenceSession(proto.SerializeToString(), providers=["CPUExecutionProvider"]).run(None, {
        "input": feed})[0]
    want = r.predict(X, raw=False).numpy()
    line = f"  onnxruntime vs chainrule on the {len(X)} test rows: max |difference| {np.abs(got - want).max():.2g}"
    if r.task == "classification" and want.shape[1] > 1:
        line += f", same class for {int((got.argmax(1) == want.argmax(1)).sum())}/{len(X)}"
    print(line)
    return 0

#!/usr/bin/env bash
# Sets up and builds modelport, makes a small TorchScript CNN, converts it to ONNX with a dynamic
# batch axis, runs it in ONNX Runtime and prints the largest difference from PyTorch's output.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/build.sh modelport  # the tool only, not the test suite
demo=build/demo
mkdir -p "$demo"
/usr/bin/python3 tools/demo_model.py "$demo"
build/modelport export "$demo/demo_cnn.pt" -o "$demo/demo_cnn.onnx" --input 'x:float32[batch,3,64,64]' --opset 17
node tools/ort_run.js "$demo/demo_cnn.onnx" --input "x=$demo/x.npy" --outdir "$demo/ort" >/dev/null
/usr/bin/python3 - "$demo" <<'PY'
import sys, numpy as np
d = sys.argv[1]
want, got = np.load(f"{d}/y_torch.npy"), np.load(f"{d}/ort/output_0.npy")
diff = float(np.abs(want - got).max())
print(f"demo: {d}/demo_cnn.onnx, batch {got.shape[0]}, max |onnxruntime - pytorch| = {diff:.3g}")
sys.exit(0 if diff <= 1e-4 * max(1.0, float(np.abs(want).max())) else 3)
PY

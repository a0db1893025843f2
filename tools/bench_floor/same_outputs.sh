#!/usr/bin/env bash
# Shows that a change to speed or memory changed no output (issue 16): exports every TorchScript
# archive of the zoo CI subset (build/zoo_ci/*.pt, made by `tools/zoo --subset ci`) with two
# modelport binaries, the same options as tools/zoo, and compares the .onnx files byte for byte.
#   bash tools/bench_floor/same_outputs.sh OLD_MODELPORT NEW_MODELPORT [DIR_OF_PT_FILES]
# Copy each binary (with modelport-torch and modelport_runtime_dir beside it) out of build/ first if
# a build may run meanwhile. Exit 1 if any pair differs or fails.
set -uo pipefail
old=$1 new=$2 dir=${3:-build/zoo_ci}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# The input spec tools/zoo gives each model (its own spatial() and input_size(), not a copy).
dims_of() {
  python3 - "$1" <<'PY'
import importlib.machinery, sys, types
loader = importlib.machinery.SourceFileLoader("zoo", "tools/zoo")
zoo = types.ModuleType("zoo")
zoo.__file__ = "tools/zoo"
loader.exec_module(zoo)
name, size = sys.argv[1], zoo.input_size(sys.argv[1])
print("batch,3,h,w" if zoo.spatial(name) else f"batch,3,{size},{size}")
PY
}
status=0 n=0
for pt in "$dir"/*.pt; do
  b=$(basename "$pt" .pt) name=${b%%.*}
  dims=$(dims_of "$name")
  for v in old new; do
    bin=$old; [ $v = new ] && bin=$new
    "$bin" export "$pt" -o "$work/$v.onnx" --opset 17 --no-manifest --input "x:float32[$dims]" >/dev/null 2>"$work/$v.err" ||
      { echo "$b: $v binary failed: $(tail -1 "$work/$v.err")"; status=1; }
  done
  if cmp -s "$work/old.onnx" "$work/new.onnx"; then echo "$b: identical ($(stat -c %s "$work/new.onnx") bytes)"; n=$((n + 1))
  else echo "$b: DIFFERENT"; status=1; fi
  rm -f "$work"/*.onnx*
done
echo "same_outputs: $n identical"
exit $status

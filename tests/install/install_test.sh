#!/usr/bin/env bash
# ctest install_relocated (label install):
#   bash install_test.sh SOURCE_DIR BUILD_DIR TEST_MODELS_DIR [SANITIZED: ON/OFF]
# Installs modelport into a temporary prefix and moves the prefix elsewhere. Then, with the checkout
# and the build tree hidden (a private mount namespace with empty tmpfs over them: `unshare -m`, as
# root), the moved copy runs export --verify on a TorchScript, a Keras .h5 and a SavedModel (each
# exit 0), and tools/convert_example is configured and built against the moved package
# (find_package(modelport)), converts a model, and that ONNX file is run in ONNX Runtime and compared
# with libtorch by the installed `modelport verify`. Exits 77 (skip) without ../shared/fixtures.
set -euo pipefail
src=$(realpath "$1")
build=$(realpath "$2")
models=$(realpath "$3")
savedmodel=$src/../shared/fixtures/savedmodel/tfserving_half_plus_two_tf2_cpu
if [ ! -d "$savedmodel" ]; then echo "install_test: $savedmodel: not found (../shared/fixtures)"; exit 77; fi

work=$(mktemp -d /tmp/modelport-install-test.XXXXXX)
trap 'rm -rf "$work"' EXIT
cmake --build "$build" --target modelport modelport_man >/dev/null  # a no-op when built
cmake --install "$build" --prefix "$work/installed" >/dev/null
mv "$work/installed" "$work/prefix"  # relocated: not the prefix it was installed to
mkdir "$work/in" "$work/out"
cp "$models/cnn_traced.pt" "$models/conv2d.h5" "$work/in/"
cp -r "$savedmodel" "$work/in/savedmodel"
cp -r "$src/tools/convert_example" "$work/example"

# Self-contained: no symlink leads out of the prefix (e.g. a node_modules copied as a link).
while IFS= read -r -d '' link; do
  case "$(realpath -m "$link")" in "$work/prefix"/*) ;; *) echo "install_test: $link: links out of the prefix" >&2; exit 1 ;; esac
done < <(find "$work/prefix" -type l -print0)
# Debug info (RelWithDebInfo) names the build directory by design, so the check reads a copy
# without it. A sanitized build (4th argument ON) is not checked: AddressSanitizer records each
# global's source file in the code itself.
if [ "${4:-OFF}" != ON ]; then
  for bin in "$work/prefix/bin/modelport" "$work/prefix/libexec/modelport-torch"; do
    strip --strip-debug -o "$work/stripped" "$bin"
    if grep -q -F "$src" "$work/stripped" || grep -q -F "$build" "$work/stripped"; then
      echo "install_test: $bin contains a path of the checkout or the build tree" >&2
      exit 1
    fi
  done
fi

cat > "$work/run.sh" <<'INNER'
set -euo pipefail
cd "$1"
unset MODELPORT_RUNTIME_DIR MODELPORT_ORT_RUNNER MODELPORT_TFJS_RUNNER MODELPORT_ORT_DIR MODELPORT_TFJS_DIR
mp=$PWD/prefix/bin/modelport
echo "== installed binary"
"$mp" export in/cnn_traced.pt -o out/torchscript.onnx --input 'x:float32[batch,3,16,16]' --verify
"$mp" export in/conv2d.h5 -o out/keras.onnx --verify
"$mp" export in/savedmodel -o out/savedmodel.onnx --verify
echo "== runtime not found: one line naming where it looked"
rc=0; MODELPORT_RUNTIME_DIR=$PWD/nowhere "$mp" verify in/conv2d.h5 out/keras.onnx 2>out/err.txt >/dev/null || rc=$?
cat out/err.txt
[ "$rc" -ne 0 ] && [ "$(wc -l < out/err.txt)" -eq 1 ] && grep -q "nowhere.*MODELPORT_RUNTIME_DIR" out/err.txt
echo "== example built against the installed package"
cmake -S example -B example-build -DCMAKE_BUILD_TYPE=Release -DCMAKE_PREFIX_PATH="$PWD/prefix" >/dev/null
cmake --build example-build >/dev/null
example-build/convert_example in/cnn_traced.pt out/example.onnx --input 'x:float32[batch,3,16,16]'
test -s out/example.onnx
"$mp" verify in/cnn_traced.pt out/example.onnx
MODELPORT_RUNTIME_DIR=$PWD/prefix/share/modelport example-build/convert_example in/conv2d.h5 out/example_keras.onnx --verify
INNER

if unshare -m true 2>/dev/null; then
  hide="mount -t tmpfs tmpfs '$src'"
  case "$build/" in "$src"/*) ;; *) hide="$hide && mount -t tmpfs tmpfs '$build'" ;; esac
  echo "install_test: checkout and build tree hidden (tmpfs in a private mount namespace)"
  unshare -m sh -c "$hide && exec bash '$work/run.sh' '$work'"
else
  echo "install_test: cannot unshare a mount namespace (not root?): the checkout stays visible, the prefix is still moved"
  bash "$work/run.sh" "$work"
fi
echo "install_test: ok"

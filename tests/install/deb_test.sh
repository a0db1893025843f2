#!/usr/bin/env bash
# ctest deb_package (label install):
#   bash deb_test.sh SOURCE_DIR BUILD_DIR VERSION
# Builds the Debian package with CPack (cmake/ModelportPackage.cmake) into BUILD_DIR/deb_test and
# checks it: file name, control fields, Depends (the bookworm packages of the libraries the binary
# links, and nodejs), the file list (binary, runners, npm runtime, man page; no headers, static
# libraries, source maps or other systems' ONNX Runtime), and that the npm packages inside are the
# versions of the committed tools/runtime/package-lock.json.
set -euo pipefail
src=$(realpath "$1")
build=$(realpath "$2")
version=$3
out=$build/deb_test
fail() { echo "deb_test: $*" >&2; exit 1; }

cmake --build "$build" --target modelport modelport_man >/dev/null  # a no-op when built
rm -rf "$out"
(cd "$build" && cpack -G DEB -B "$out" >/dev/null)
deb=$out/modelport_${version}_amd64.deb
[ -f "$deb" ] || fail "$deb: not produced (found: $(ls "$out"))"

dpkg-deb -f "$deb" Package Version Architecture Depends
[ "$(dpkg-deb -f "$deb" Package)" = modelport ] || fail "Package is not modelport"
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "Version is not $version"
depends=$(dpkg-deb -f "$deb" Depends)
for p in libtorch1.13 libonnx1 libprotobuf32 libhdf5-103-1 libhdf5-hl-100 libzip4 libleveldb1d libssl3 \
         libspdlog1.10-fmt9 libc6 nodejs; do
  grep -Eq "(^|, )$p( |,|$)" <<<"$depends" || fail "Depends lacks $p: $depends"
done

files=$(dpkg-deb -c "$deb" | awk '{print $6}')
share=./usr/share/modelport
for f in ./usr/bin/modelport ./usr/libexec/modelport-torch ./usr/share/man/man1/modelport.1.gz $share/ort_run.js $share/tfjs_run.js \
         $share/real_models/tfjs_model_io.js $share/runtime/package.json $share/runtime/package-lock.json \
         $share/runtime/node_modules/onnxruntime-node/package.json \
         $share/runtime/node_modules/@tensorflow/tfjs/package.json; do
  grep -qxF "$f" <<<"$files" || fail "$f: not in the package"
done
grep -Eq "^$share/runtime/node_modules/onnxruntime-node/bin/napi-v[0-9]+/linux/x64/onnxruntime_binding.node$" <<<"$files" ||
  fail "no linux x64 ONNX Runtime binding in the package"
bad=$(grep -E '^\./usr/(include|lib)/|\.map$|/onnxruntime-node/bin/napi-v[0-9]+/(darwin|win32|linux/arm64)/' <<<"$files" | head -3 || true)
[ -z "$bad" ] || fail "files that do not belong in the runtime package: $bad"

# The npm packages inside are the ones the lockfile pins.
tmp=$(mktemp -d); trap 'rm -rf "$tmp"' EXIT
dpkg-deb -x "$deb" "$tmp"
for pkg in onnxruntime-node @tensorflow/tfjs; do
  want=$(node -e "console.log(require('$src/tools/runtime/package-lock.json').packages['node_modules/$pkg'].version)")
  got=$(node -e "console.log(require('$tmp/usr/share/modelport/runtime/node_modules/$pkg/package.json').version)")
  echo "$pkg: package $got, lockfile $want"
  [ "$got" = "$want" ] || fail "$pkg $got in the package, the lockfile pins $want"
done
zcat "$tmp/usr/share/man/man1/modelport.1.gz" > "$tmp/man.txt"
for c in export verify inspect ops; do
  grep -q "^.SS \"modelport $c\"" "$tmp/man.txt" || fail "the man page lacks the $c command"
done
echo "deb_test: ok: $(basename "$deb"), $(du -h "$deb" | cut -f1), $(wc -l <<<"$files") entries"

#!/usr/bin/env bash
# Installs everything modelport needs to build and test, on Debian 12, as root.
# Idempotent: when everything is present it only checks and returns in seconds.
set -euo pipefail
cd "$(dirname "$0")/.."

APT_PACKAGES=(
  build-essential cmake pkg-config git
  libtorch-dev libonnx-dev libprotobuf-dev protobuf-compiler
  # Debian's libtorch calls whichever libblas.so.3 is installed; alone it gets the reference BLAS
  # (about 1 GFLOP/s). OpenBLAS takes over through update-alternatives and makes libtorch's matmuls
  # (verify's reference runs, the fixtures' generation) about 15x faster.
  libopenblas0-pthread
  libcli11-dev nlohmann-json3-dev libspdlog-dev libgtest-dev
  libhdf5-dev libsnappy-dev libzip-dev libssl-dev libleveldb-dev
  python3-torch python3-torchvision python3-onnx python3-h5py python3-numpy python3-jsonschema
  python3-pil  # decodes the photo the real detectors are tested on (tools/real_models/photo_to_npy.py)
  nodejs npm
  strace util-linux bsdutils
  help2man dpkg-dev
)

missing=()
for p in "${APT_PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
done
# nodejs/npm may come from elsewhere (e.g. a preinstalled node): accept working binaries.
if command -v node >/dev/null && command -v npm >/dev/null; then
  filtered=(); for p in "${missing[@]}"; do [[ "$p" == nodejs || "$p" == npm ]] || filtered+=("$p"); done
  missing=("${filtered[@]+"${filtered[@]}"}")
fi
if ((${#missing[@]})); then
  echo "setup: installing ${missing[*]}" >&2
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

# The runtimes verify uses, pinned to exact versions by tools/runtime/package-lock.json: ONNX Runtime
# (onnxruntime-node, its bundled CPU library: no download at install time) and TensorFlow.js (pure-JS
# CPU backend). Reinstalled with `npm ci` whenever the lockfile changes.
lock_sum=$(sha256sum tools/runtime/package-lock.json | cut -d' ' -f1)
stamp=tools/runtime/node_modules/.modelport-lock-sha256
if [ "$(cat "$stamp" 2>/dev/null)" != "$lock_sum" ]; then
  echo "setup: installing the pinned npm runtimes (tools/runtime/package-lock.json)" >&2
  ( cd tools/runtime && ONNXRUNTIME_NODE_INSTALL=skip npm ci --no-audit --no-fund --loglevel=error >/dev/null )
  echo "$lock_sum" > "$stamp"
fi
echo "setup: ok" >&2

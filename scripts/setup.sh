#!/usr/bin/env bash
# Everything at once on a fresh Debian machine: Deno (with npm) if missing, then every Debian
# and npm package any command uses (the list and the reasons are in scripts/setup.ts, which
# `deno task pretrain` and `deno task test` also run on first use). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v deno >/dev/null; then
  echo "setup: installing Deno 2.9.6 with npm"
  npm install -g deno@2.9.6 >/dev/null
fi
deno run -A scripts/setup.ts all
echo "setup: done ($(deno --version | head -1))"

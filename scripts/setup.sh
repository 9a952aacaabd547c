#!/usr/bin/env bash
# One-time set-up of a fresh Debian machine for this project: the system packages the
# backends, datasets and tests use, and the npm packages pinned in deno.lock.
# Run as root (or with sudo available). Safe to run again.
set -euo pipefail
cd "$(dirname "$0")/.."

# System packages, by what needs them:
#   mesa-vulkan-drivers   software Vulkan adapter for the webgpu backend's tests
#   dataset-fashion-mnist the default pipeline's dataset (/usr/share/datasets/fashion-mnist)
#   libdnnl2 libopenblas0-pthread   the native CPU kernels (--backend native)
#   openmpi-bin libopenmpi-dev      multi-process training under mpirun
#   iproute2 util-linux   ip netns / unshare: the multi-host test's fake hosts (as root)
#   chromium              renders report.html in the report test
#   python3-torchvision   checks that exported weights load in torchvision
PACKAGES=(mesa-vulkan-drivers dataset-fashion-mnist libdnnl2 libopenblas0-pthread
  openmpi-bin libopenmpi-dev iproute2 util-linux chromium python3-torchvision)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""
  [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if ! command -v deno >/dev/null; then
  echo "setup: installing Deno 2.9.6 with npm"
  npm install -g deno@2.9.6 >/dev/null
fi

# npm packages at the versions in deno.lock (no install scripts run).
deno install --frozen --quiet
echo "setup: done ($(deno --version | head -1))"

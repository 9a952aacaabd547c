#!/usr/bin/env bash
# SimCLR on WebGPU, measured on a real GPU: what issue 7 part 3 asks for.
#
#   bench/webgpu_gpu.sh pack           # here (network, npm cache): fill .dev/webgpu/ and .gl/
#   bench/webgpu_gpu.sh run            # on the GPU machine: ResNet-18 steps + the pipeline
#   bench/webgpu_gpu.sh run --tiny     # the same chain with tiny settings (software adapter OK)
#
# `run` measures, on the `webgpu` backend:
#   1. the training step (forward + NT-Xent + backward + momentum SGD) of ResNet-18 with the
#      CIFAR stem at 256 and 512 pairs (512 and 1024 views of 32x32x3), and the small net at 64
#      pairs, with `deno task bench step` (median after warm-up; tensor counts; the adapter),
#      each with the project's WebGPU kernels and with TensorFlow.js's stock ones
#      (`--webgpu-kernels project,stock`), plus the per-kernel profile of the project step;
#   1b. the same ResNet-18 step in PyTorch, CUDA fp32 (bench/step_torch.py), on the same GPU,
#      and the ratio webgpu / PyTorch per batch size;
#   2. the whole pipeline, `deno task pretrain --config pipelines/cifar10.yaml --backend webgpu`
#      for `train.maxSteps` steps at batch 512: images/s and the share of the step time spent
#      waiting for data, overall (pretrain's own summary) and in steady state (metrics.jsonl,
#      the first report interval, which holds the shader compilation, left out).
# Everything goes to $OUT (when set, e.g. on the device tool) or runs/webgpu-gpu-<time>/.
#
# Settings (environment): PAIRS ("256 512"), STEPS (3), WARMUP (1), PIPE_STEPS (60),
# PIPE_BATCH (512), WORKERS (CPU cores - 2, at most 16), CIFAR (a cifar-10-batches-bin folder;
# default: located as the pipeline does, else synthetic batches are written: throughput does
# not depend on the pixels), ALLOW_SOFTWARE=1 (measure on a software adapter anyway), OFFLINE=1
# (no registry reachable; implied when node_modules comes from the pack).
#
# Carrying it to a GPU machine without network (e.g. the device tool, 64 MiB per call):
# - Deno: the 96 MB binary is ~31 MB as xz; `pack` writes .dev/webgpu/deno.xz, `run` unpacks it
#   to /tmp when no `deno` is on PATH.
# - npm packages: node_modules is ~380 MB (every tfjs flavour, sharp, wasm builds). `pack` runs
#   this chain once with tiny settings under strace and keeps only the node_modules files that
#   were opened (+ package.json files and the symlinks), as .dev/webgpu/node_modules.tar.xz;
#   `run` unpacks it when node_modules is missing (checked here: a copy of the repo with only
#   that tarball, an empty DENO_DIR and no registry runs `run --tiny` through).
# - Vulkan loader: Deno's navigator.gpu needs libvulkan.so.1; the NVIDIA driver ships the ICD.
#   `pack` downloads Debian's amd64 libvulkan1 (and the GL/EGL loaders) into .gl/ as in the
#   device README; `run` unpacks them with `dpkg -x` into / when `ldconfig -p` lacks
#   libvulkan, and points VK_DRIVER_FILES at the NVIDIA ICD when one is there.
# - On the device tool: carry [".dev/webgpu", ".gl"] and run `bash bench/webgpu_gpu.sh run`.
# - On an ordinary GPU box with network: install Deno 2.9.6 and the Vulkan loader
#   (apt-get install libvulkan1), `deno install`, then `bench/webgpu_gpu.sh run`.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD
PACK=$ROOT/.dev/webgpu
MODE=${1:-run}
TINY=0
[[ ${2:-} == --tiny || ${1:-} == --tiny ]] && TINY=1
[[ $MODE == --tiny ]] && MODE=run

log() { echo "[webgpu_gpu] $*" >&2; }

setup_runtime() {
  export DENO_NO_UPDATE_CHECK=1
  if ! command -v deno >/dev/null && [[ -f $PACK/deno.xz ]]; then
    xz -dc "$PACK/deno.xz" >/tmp/deno && chmod +x /tmp/deno
    export PATH=/tmp:$PATH
  fi
  command -v deno >/dev/null || { log "no deno: install Deno 2.9.6 or run 'pack' first"; exit 2; }
  if [[ ! -d node_modules/@tensorflow && -f $PACK/node_modules.tar.xz ]]; then
    tar -xJf "$PACK/node_modules.tar.xz"
    OFFLINE=${OFFLINE:-1}
  fi
  # Offline, Deno still asks the registry about dynamically imported packages and then uses
  # node_modules: point it at a closed local port so that it fails at once instead of waiting.
  [[ ${OFFLINE:-0} == 1 ]] && export NPM_CONFIG_REGISTRY=http://127.0.0.1:9/
  if ! ldconfig -p 2>/dev/null | grep 'libvulkan\.so\.1' >/dev/null; then
    if compgen -G ".gl/*.deb" >/dev/null; then
      for f in .gl/*.deb; do dpkg -x "$f" /; done
      ldconfig
    else
      log "no libvulkan.so.1 and no .gl/*.deb: WebGPU will find no adapter"
    fi
  fi
  local icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
  if [[ -z ${VK_DRIVER_FILES:-} && -f $icd ]]; then
    export VK_DRIVER_FILES=$icd
    export __EGL_VENDOR_LIBRARY_FILENAMES=/usr/local/nvidia/share/glvnd/egl_vendor.d/10_nvidia.json
  fi
  export XDG_RUNTIME_DIR=${XDG_RUNTIME_DIR:-$(mktemp -d)}
}

# Prints the adapter line; fails when there is none (or only a software one, unless allowed).
probe() {
  deno eval --config deno.json '
    import { describeAdapter, probeWebGpu } from "./src/backend/webgpu.ts";
    const p = await probeWebGpu();
    if ("reason" in p) { console.log(`no adapter: ${p.reason}`); Deno.exit(3); }
    console.log(describeAdapter(p.adapter));
    if (p.adapter.softwareFallback && Deno.env.get("ALLOW_SOFTWARE") !== "1") {
      console.log("only a software adapter: these figures would not be GPU figures " +
        "(ALLOW_SOFTWARE=1 to measure anyway)");
      Deno.exit(4);
    }'
}

# Writes CIFAR-10-format binary batches with random pixels: $1 folder, $2 records per file.
synthetic_cifar() {
  deno eval '
    const [dir, n] = [Deno.args[0], Number(Deno.args[1])];
    await Deno.mkdir(dir, { recursive: true });
    let s = 12345;
    for (const name of ["data_batch_1", "data_batch_2", "data_batch_3", "data_batch_4",
      "data_batch_5", "test_batch"]) {
      const buf = new Uint8Array(n * 3073);
      for (let i = 0; i < buf.length; i++) {
        s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
        buf[i] = s >>> 24;
      }
      for (let r = 0; r < n; r++) buf[r * 3073] = r % 10;
      await Deno.writeFile(`${dir}/${name}.bin`, buf);
    }' -- "$1" "$2"
}

# Summary of a run's metrics.jsonl: steady-state images/s and data-wait share.
steady_state() {
  deno eval '
    const lines = (await Deno.readTextFile(Deno.args[0])).trim().split("\n").map((l) => JSON.parse(l));
    const rest = lines.length > 1 ? lines.slice(1) : lines;
    const med = (xs) => { const s = [...xs].sort((a, b) => a - b); const m = s.length >> 1;
      return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2; };
    const wait = rest.reduce((a, m) => a + m.waitMs, 0);
    const comp = rest.reduce((a, m) => a + m.computeMs, 0);
    console.log(`steady state (${rest.length} of ${lines.length} report intervals, the first left ` +
      `out): median ${med(rest.map((m) => m.imagesPerSec)).toFixed(1)} views/s, data wait ` +
      `${(100 * wait / Math.max(1e-9, wait + comp)).toFixed(1)}% of the step time, last loss ` +
      `${lines.at(-1).loss.toFixed(4)}`);' -- "$1"
}

# A python3 that imports torch: $PYTHON, python3, or Debian's /usr/bin/python3.
torch_python() {
  local c
  for c in ${PYTHON:-} python3 /usr/bin/python3; do
    if command -v "$c" >/dev/null && "$c" -c 'import torch' 2>/dev/null; then
      echo "$c"
      return 0
    fi
  done
  return 1
}

# webgpu (project kernels) and PyTorch step times side by side, per views count.
compare_torch() {
  local out=$1 views t w
  echo "webgpu vs PyTorch, ResNet-18 cifar step (median s; ratio = PyTorch time / webgpu time):"
  while read -r views t _; do
    [[ $views =~ ^[0-9]+$ ]] || continue
    w=$(awk -v v="$views" '$1 == "webgpu" && $2 == "resnet18-cifar" && $3 == v { print $5 }' \
      "$out"/step_resnet18_*.txt | head -1)
    [[ -n $w ]] || continue
    awk -v v="$views" -v w="$w" -v t="$t" \
      'BEGIN { printf "  %5d views: webgpu %.4f s, PyTorch %.4f s, webgpu at %.2fx PyTorch\n", v, w, t, t / w }'
  done < <(tail -n +3 "$out/step_torch.txt") | tee "$out/webgpu_vs_torch.txt"
}

run_all() {
  setup_runtime
  local cores
  cores=$(nproc)
  if ((TINY)); then
    : "${PAIRS:=2 4}" "${STEPS:=1}" "${WARMUP:=1}" "${PIPE_STEPS:=4}" "${PIPE_BATCH:=8}"
    : "${WORKERS:=1}" "${RECORDS:=64}" "${ALLOW_SOFTWARE:=1}"
    BENCH_NET_PAIRS=4
  else
    : "${PAIRS:=256 512}" "${STEPS:=3}" "${WARMUP:=1}" "${PIPE_STEPS:=60}" "${PIPE_BATCH:=512}"
    : "${WORKERS:=$((cores > 18 ? 16 : cores > 3 ? cores - 2 : 1))}" "${RECORDS:=10000}"
    BENCH_NET_PAIRS=64
  fi
  export ALLOW_SOFTWARE
  local out=${OUT:-$ROOT/runs/webgpu-gpu-$(date -u +%Y%m%dT%H%M%SZ)}
  mkdir -p "$out"
  exec > >(tee -a "$out/webgpu_gpu.log") 2>&1
  log "deno $(deno --version | head -1 | cut -d' ' -f2), $cores cores, $(uname -m); out: $out"
  log "adapter: $(probe)"

  log "1. training step, ResNet-18 (cifar stem) at ${PAIRS// /, } pairs; small net at $BENCH_NET_PAIRS"
  # The stock kernels' ResNet-18 step takes minutes on a software adapter: --tiny leaves them
  # to the small net there.
  local profile=--profile sets=project,stock
  ((TINY)) && sets=project
  for p in $PAIRS; do
    deno task bench step --backend webgpu --model resnet18 --pairs "$p" --steps "$STEPS" \
      --warmup "$WARMUP" --webgpu-kernels "$sets" $profile | tee "$out/step_resnet18_$p.txt"
    profile=
  done
  deno task bench step --backend webgpu --model small --pairs "$BENCH_NET_PAIRS" \
    --steps "$STEPS" --warmup "$WARMUP" --webgpu-kernels project,stock | tee "$out/step_bench.txt"

  log "1b. the same ResNet-18 step in PyTorch (fp32), same machine"
  local py
  py=$(torch_python) || { log "no Python with PyTorch: skipping the PyTorch reference"; py=; }
  if [[ -n $py ]]; then
    local tiny_flag=()
    ((TINY)) && tiny_flag=(--tiny)
    # shellcheck disable=SC2086
    PYTHONUNBUFFERED=1 "$py" bench/step_torch.py --pairs $PAIRS --steps "$((STEPS + 2))" \
      --warmup "$((WARMUP + 1))" "${tiny_flag[@]}" | tee "$out/step_torch.txt"
    compare_torch "$out"
  fi

  log "2. pipeline: pipelines/cifar10.yaml on webgpu, $PIPE_STEPS steps of $PIPE_BATCH pairs"
  local data=${CIFAR:-}
  if [[ -z $data ]]; then
    if ! data=$(deno eval --config deno.json '
      import { locateDataset } from "./src/data/registry.ts";
      console.log((await locateDataset("cifar10", { download: false })).dir);' 2>/dev/null); then
      data=/tmp/simclr-synthetic-cifar10/cifar-10-batches-bin
      log "CIFAR-10 not found: writing synthetic batches ($RECORDS records each) to $data"
      synthetic_cifar "$data" "$RECORDS"
    fi
  fi
  local eval_n=$((RECORDS < 2000 ? RECORDS : 2000))
  deno task pretrain --config pipelines/cifar10.yaml --backend webgpu \
    --set "data.path=$data" --set "data.workers=$WORKERS" \
    --set "data.shuffleBuffer=$((RECORDS < 10000 ? RECORDS : 10000))" \
    --set "optim.batchSize=$PIPE_BATCH" --set "train.maxSteps=$PIPE_STEPS" \
    --set "train.logEvery=$((PIPE_STEPS < 20 ? 1 : 10))" --set "run.outDir=$out/runs" \
    --set eval.randomInitFloor=false --set eval.linearProbe.enabled=false \
    --set "eval.maxTrainSamples=$eval_n" --set "eval.maxTestSamples=$eval_n" \
    --set "eval.knn.k=$((eval_n < 200 ? eval_n : 200))" 2>&1 | tee "$out/pretrain.txt"
  local metrics
  metrics=$(find "$out/runs" -name metrics.jsonl | head -1)
  [[ -n $metrics ]] && steady_state "$metrics" | tee "$out/pipeline_steady_state.txt"
  # On an asynchronous device the trainer's "data wait" also holds the time the forward stage is
  # held back while the optimizer awaits the GPU (loss read every logEvery steps): read it with
  # the stage telemetry below, where "starved" is the time a stage waited for its input.
  grep -h "views/s, data wait\|^pipeline:" "$out/pretrain.txt" || true
  log "done: $out"
}

pack() {
  mkdir -p "$PACK" .gl
  log "deno binary -> $PACK/deno.xz"
  xz -T0 -6 -c "$(readlink -f "$(command -v deno)")" >"$PACK/deno.xz"
  log "Vulkan/GL loaders (amd64 .debs) -> .gl/"
  local o=(-oAPT::Architecture=amd64 -oAPT::Architectures=amd64 -oDir::State::Lists=/tmp/amd64)
  mkdir -p /tmp/amd64/partial
  apt-get "${o[@]}" update -qq
  (cd .gl && apt-get "${o[@]}" download libvulkan1 libegl1 libglvnd0 libopengl0 libgl1 libglx0 \
    libgles2)
  log "node_modules files that a tiny run opens -> $PACK/node_modules.tar.xz"
  local trace=/tmp/webgpu_gpu.trace
  rm -f "$trace".*
  OUT=/tmp/webgpu_gpu_pack PAIRS=2 STEPS=1 WARMUP=0 PIPE_STEPS=2 PIPE_BATCH=4 RECORDS=16 \
    strace -f -ff -e trace=%file -o "$trace" bash "$0" run --tiny >/dev/null 2>&1 ||
    log "the traced tiny run failed (see $0 run --tiny)"
  cat "$trace".* | grep -o "\"$ROOT/node_modules/[^\"]*\"" | tr -d '"' | sed "s|^$ROOT/||" |
    sort -u | while read -r f; do [[ -f $f ]] && realpath --relative-to="$ROOT" "$f"; done \
    >/tmp/webgpu_gpu.files
  { find node_modules -name package.json; find node_modules -type l; } >>/tmp/webgpu_gpu.files
  sort -u /tmp/webgpu_gpu.files | tar -cJf "$PACK/node_modules.tar.xz" -T -
  rm -f "$trace".*
  du -sh "$PACK"/* .gl
  log "carry [\".dev/webgpu\", \".gl\"] and run: bash bench/webgpu_gpu.sh run"
}

case $MODE in
  run) run_all ;;
  pack) pack ;;
  *) echo "usage: $0 pack | run [--tiny]" >&2; exit 2 ;;
esac

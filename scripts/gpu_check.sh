#!/usr/bin/env bash
# The package on a CUDA GPU, checked and measured in one run of a few minutes; one JSON and one Markdown report.
#
#   scripts/gpu_check.sh               # on the GPU machine, from anywhere in the repository
#   scripts/gpu_check.sh --cpu-smoke   # rehearsal on a machine without a GPU: CPU, tiny sizes, 1 epoch
#                                      # (QHEP_GPU_CHECK_DRY=1 does the same)
#
# Needs: python3 with a CUDA build of torch (and JAX for the TensorCircuit-NG peer), and the wheels of what
# the machine lacks in .whl/cp3XX (scripts/gpu_wheels.sh, run where a package index is reachable). The
# wheels go into a --target folder put on PYTHONPATH behind the repository (a virtual environment made from
# a python3 that is itself a virtual environment would not see that environment's torch).
#
# Steps, each under its own time limit and none stopping the others; the whole run stays under a budget
# (QHEP_GPU_CHECK_BUDGET seconds, default 330), later steps being skipped once it is spent; a rerun can
# select steps with QHEP_GPU_CHECK_STEPS="w3 job_cpu" (env and install always run):
#   env       card, driver and CUDA versions (nvidia-smi), python, torch, JAX
#   install   the carried wheels (offline), the package itself (no dependencies), pip check
#   tests     python -m pytest -m gpu on the test files that hold gpu-marked tests
#   engine    qhep bench gpu --sections engine: W1, W2 at B = 512, 4096, 32768; the 15-qubit swap test
#   peers     qhep bench gpu --sections peers: TensorCircuit-NG on JAX, PennyLane GPU devices
#   aer       qhep bench gpu --sections aer: Aer's GPU device probed, Aer rows (qiskit-aer CPU build)
#   aer_gpu   the same with the qiskit-aer-gpu build where .whl/aer-gpu-cp3XX was carried
#   job_cuda  the main job (qhep train) with train.device = "cuda", in a temporary runs root
#   w3        qhep bench gpu --sections w3: W1 at 16, 20, 24, 28 qubits with peak GPU memory
#   job_cpu   the main job on the CPU, same machine
#   report    $OUT/gpu_check.json and $OUT/gpu_check.md (written after every step, so a cut-off run
#             still leaves a report), and $OUT/gpu_check.log (every step's output)
set -uo pipefail

SMOKE=${QHEP_GPU_CHECK_DRY:-0}
for arg in "$@"; do
    case $arg in
        --cpu-smoke) SMOKE=1 ;;
        -h|--help) sed -n '2,27p' "$0"; exit 0 ;;
        *) echo "gpu_check.sh: unknown argument '$arg' (expected --cpu-smoke)" >&2; exit 2 ;;
    esac
done

ROOT=$(cd "$(dirname "$0")/.." && pwd)
cd "$ROOT"
PY=${PYTHON:-python3}
OUT=${OUT:-$ROOT/runs/gpu_check}
WORK=${QHEP_GPU_CHECK_WORK:-$(mktemp -d)}
BUDGET=${QHEP_GPU_CHECK_BUDGET:-330}
STEPS=${QHEP_GPU_CHECK_STEPS:-}
TAG=$($PY -c 'import sys; print(f"cp{sys.version_info[0]}{sys.version_info[1]}")')
WHEELS=${QHEP_WHEELS:-$ROOT/.whl/$TAG}
AER_GPU_WHEELS=$ROOT/.whl/aer-gpu-$TAG
SITE=$WORK/site
AER_GPU_SITE=$WORK/site-aer-gpu
mkdir -p "$OUT" "$WORK"
LOG=$OUT/gpu_check.log
: > "$LOG"
: > "$WORK/steps.tsv"
START=$(date +%s)
export PYTHONUNBUFFERED=1 PYTHONDONTWRITEBYTECODE=1 XLA_PYTHON_CLIENT_PREALLOCATE=false
export PYTHONPATH=$ROOT:$SITE${PYTHONPATH:+:$PYTHONPATH}

if [[ $SMOKE == 1 ]]; then
    DEVICE=cpu; QUICK_ARGS="--device cpu --quick"; JOB_ARGS="--set train.epochs=1"
else
    DEVICE=cuda; QUICK_ARGS=""; JOB_ARGS=""
fi
QHEP="$PY -m qhep_contrast.cli"
# The steps run in `bash -c` under `timeout`: the functions below and these variables are exported.
export ROOT PY TAG WORK SITE WHEELS AER_GPU_WHEELS AER_GPU_SITE QUICK_ARGS JOB_ARGS QHEP

report() {
    "$PY" "$ROOT/scripts/gpu_report.py" --work "$WORK" --out "$OUT" --smoke "$SMOKE" >> "$WORK/report.log" 2>&1 \
        || echo "report: failed (see $WORK/report.log)" | tee -a "$LOG"
}

# step NAME LIMIT_SECONDS COMMAND...: run under `timeout`, log, record rc and seconds; never stops the script.
step() {
    local name=$1 limit=$2
    shift 2
    if [[ -n $STEPS && $name != env && $name != install && " $STEPS " != *" $name "* ]]; then
        echo "=== $name: not selected (QHEP_GPU_CHECK_STEPS=$STEPS)" | tee -a "$LOG"
        return
    fi
    local left=$((BUDGET - ($(date +%s) - START)))
    if ((left < 15)); then
        printf '%s\t%s\t%s\t%s\n' "$name" "skipped" 0 "budget of ${BUDGET} s spent" >> "$WORK/steps.tsv"
        echo "=== $name: skipped (budget of ${BUDGET} s spent)" | tee -a "$LOG"
        return
    fi
    ((limit > left)) && limit=$left
    echo "=== $name (limit ${limit} s): $*" | tee -a "$LOG"
    printf '%s\n' "$*" > "$WORK/$name.cmd"
    local t0 t1 rc
    t0=$(date +%s.%N)
    timeout --kill-after=10 "$limit" bash -c '"$@"' "$name" "$@" > "$WORK/$name.log" 2>&1
    rc=$?
    t1=$(date +%s.%N)
    cat "$WORK/$name.log" >> "$LOG"
    local secs
    secs=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.1f", b - a }')
    local what="exit code $rc"
    ((rc == 124 || rc == 137)) && what="timed out after ${limit} s"
    printf '%s\t%s\t%s\t%s\n' "$name" "$rc" "$secs" "$what" >> "$WORK/steps.tsv"
    echo "=== $name: $what, ${secs} s" | tee -a "$LOG"
    report
}

env_info() {
    echo "date: $(date -u +%FT%TZ)"
    echo "host: $(uname -a)"
    echo "cpus: $(nproc)"
    if command -v nvidia-smi > /dev/null; then
        nvidia-smi --query-gpu=name,driver_version,memory.total,compute_cap --format=csv,noheader
        nvidia-smi | sed -n '1,4p'
    else
        echo "nvidia-smi: not found"
    fi
    "$PY" - <<'EOF'
import importlib, sys
print("python:", sys.version.split()[0], sys.executable)
import torch
print("torch:", torch.__version__, "cuda", torch.version.cuda, "available", torch.cuda.is_available())
if torch.cuda.is_available():
    print("torch device:", torch.cuda.get_device_name(0), torch.cuda.get_device_capability(0))
for name in ("jax", "numpy", "scipy"):
    try:
        mod = importlib.import_module(name)
        print(f"{name}:", mod.__version__, mod.devices() if name == "jax" else "")
    except Exception as exc:  # noqa: BLE001
        print(f"{name}: unavailable ({type(exc).__name__}: {exc})")
EOF
}

# offline_install FOLDER TARGET HINT: every wheel of FOLDER into TARGET, offline, no dependency resolution.
offline_install() {
    if ! ls "$1"/*.whl > /dev/null 2>&1; then
        echo "no wheels in $1: $3"
        return 3
    fi
    "$PY" -m pip install -q --no-index --no-deps --no-compile --no-cache-dir --disable-pip-version-check \
        --upgrade --target "$2" "$1"/*.whl
}

install_wheels() {
    offline_install "$WHEELS" "$SITE" "run scripts/gpu_wheels.sh where a package index is reachable, carry .whl/$TAG" \
        || return
    # The package itself, for its metadata and the `qhep` script (its code runs from the repository).
    "$PY" -m pip install -q --no-index --no-deps --no-build-isolation --no-compile --no-cache-dir \
        --disable-pip-version-check --target "$WORK/site-package" "$ROOT" \
        && cp -r "$WORK"/site-package/qhep_contrast-*.dist-info "$SITE"/ \
        || echo "the package's own metadata was not installed (its version reads 'not installed')"
    "$PY" -m pip check --disable-pip-version-check || echo "pip check: see above (not fatal)"
    "$PY" -c "import qiskit, qiskit_aer, qiskit_machine_learning, qhep_contrast; print('imports ok:', qiskit.__version__, qiskit_aer.__version__)"
}

aer_gpu() {
    offline_install "$AER_GPU_WHEELS" "$AER_GPU_SITE" \
        "qiskit-aer-gpu was not carried (scripts/gpu_wheels.sh --with-aer-gpu, carry .whl/aer-gpu-$TAG)" || return
    local cudart=$AER_GPU_SITE/nvidia/cuda_runtime/lib
    LD_LIBRARY_PATH=$cudart${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH} PYTHONPATH=$ROOT:$AER_GPU_SITE:$SITE \
        $QHEP bench gpu $QUICK_ARGS --sections aer --json "$WORK/bench_aer_gpu.json"
}

main_job() {  # main_job DEVICE
    local config=runs/configs/simclr_jets.toml
    echo "config: $config"
    $QHEP train "$config" --set "train.device=\"$1\"" --set train.progress=false $JOB_ARGS --runs-root "$WORK/runs-$1"
}
export -f env_info offline_install install_wheels aer_gpu main_job

step env 30 env_info
step install 60 install_wheels
GPU_TESTS=$(grep -rl --include='test_*.py' 'pytest.mark.gpu' tests | sort | tr '\n' ' ')
if [[ -n $GPU_TESTS ]]; then
    # shellcheck disable=SC2086 # one argument per test file
    step tests 90 "$PY" -m pytest -m gpu -q -rs -p no:cacheprovider --junitxml="$WORK/junit.xml" $GPU_TESTS
else
    echo "=== tests: no test file holds a gpu-marked test" | tee -a "$LOG"
fi
# shellcheck disable=SC2086 # $QHEP and $QUICK_ARGS are word lists
step engine 75 $QHEP bench gpu $QUICK_ARGS --sections engine --json "$WORK/bench_engine.json"
# shellcheck disable=SC2086
step peers 60 $QHEP bench gpu $QUICK_ARGS --sections peers --json "$WORK/bench_peers.json"
# shellcheck disable=SC2086
step aer 45 $QHEP bench gpu $QUICK_ARGS --sections aer --json "$WORK/bench_aer.json"
step aer_gpu 30 aer_gpu
step job_"$DEVICE" 75 main_job "$DEVICE"
# shellcheck disable=SC2086
step w3 120 $QHEP bench gpu $QUICK_ARGS --sections w3 --w3-timeout 80 --json "$WORK/bench_w3.json"
if [[ $SMOKE == 1 ]]; then
    echo "=== job_cpu: the CPU run above stands for both in the smoke run" | tee -a "$LOG"
else
    step job_cpu 75 main_job cpu
fi
report
echo "=== done in $(($(date +%s) - START)) s; report: $OUT/gpu_check.md, $OUT/gpu_check.json" | tee -a "$LOG"
cat "$OUT/gpu_check.md" 2>/dev/null

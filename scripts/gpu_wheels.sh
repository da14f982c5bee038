#!/usr/bin/env bash
# Download the wheels that the GPU machine lacks, for an offline install there (scripts/gpu_check.sh).
#
# Run on a machine with package-index access, from anywhere inside the repository:
#     scripts/gpu_wheels.sh                       # CPython 3.12, manylinux x86_64 -> .whl/cp312
#     scripts/gpu_wheels.sh --python-version 3.11 # -> .whl/cp311 (for a local CPU rehearsal)
#     scripts/gpu_wheels.sh --with-aer-gpu        # also .whl/aer-gpu-cp312 (qiskit-aer-gpu, for a load probe)
#     scripts/gpu_wheels.sh --with-ibm            # also qiskit-ibm-runtime and its dependencies (~11 MB)
#
# It resolves the package's runtime dependencies (but qiskit-ibm-runtime, which the package imports only for
# the `ibm` executor and fake backends, unless --with-ibm), the `test` extra and the TensorCircuit-NG peer at pinned
# versions (the versions the CPU figures were measured with), downloads every wheel of the resolution into
# a temporary folder outside the repository, and copies into the wheel folder only the distributions that the
# GPU machine's image does not already provide (torch, numpy, scipy, ... are used from the image).
# The wheel folder travels with the working tree, whose size limit is 64 MiB: the totals are printed.
set -euo pipefail

PYVER=3.12
WITH_AER_GPU=0
WITH_IBM=0
while [[ $# -gt 0 ]]; do
    case $1 in
        --python-version) PYVER=$2; shift 2 ;;
        --with-aer-gpu) WITH_AER_GPU=1; shift ;;
        --with-ibm) WITH_IBM=1; shift ;;
        -h|--help) sed -n '2,17p' "$0"; exit 0 ;;
        *) echo "gpu_wheels.sh: unknown argument '$1' (expected --python-version X.Y, --with-aer-gpu, --with-ibm)" >&2; exit 2 ;;
    esac
done

ROOT=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
cd "$ROOT"
TAG=cp${PYVER/./}
DEST=.whl/$TAG
CACHE=$(mktemp -d)  # this resolution only (pip's own cache makes a rerun cheap)
trap 'rm -rf "$CACHE"' EXIT
PIP=${PIP:-python3 -m pip}

# Pinned: the versions the package's CPU figures were measured with.
REQUIREMENTS=(
    "qiskit==2.6.2" "qiskit-aer==0.18.2" "qiskit-machine-learning==0.9.1"
    "qiskit-qasm3-import==0.6.0" "tensorcircuit-ng==1.10.0"
    "tqdm" "sympy" "h5py" "scikit-learn" "matplotlib" "numpy" "scipy" "pytest" "pytest-timeout"
)
[[ $WITH_IBM == 1 ]] && REQUIREMENTS+=("qiskit-ibm-runtime==0.51.0")
# Distributions the GPU machine's image provides (normalised names); never carried.
PROVIDED="absl-py accelerate aiofiles aiohappyeyeballs aiohttp aiosignal annotated-doc anyio attrs botorch build
certifi charset-normalizer chex click cloudpickle cmake colorama contourpy coverage cuda-bindings cuda-core
cuda-pathfinder cuda-toolkit cupy-cuda13x cycler cython diffrax e3nn einops equinox etils execnet filelock
flatbuffers flax fonttools formulaic frozenlist fsspec gpytorch grpcio h11 h5py hf-xet httpcore httpx
huggingface-hub humanize hypothesis idna imageio iniconfig interface-meta jax jax-cuda13-pjrt jax-cuda13-plugin
jaxlib jaxtyping jinja2 joblib kiwisolver lazy-loader lightning lightning-utilities linear-operator lineax
llvmlite lxml markdown markdown-it-py markupsafe matplotlib mdurl meson ml-dtypes mpi4py mpmath msgpack
multidict multipledispatch mypy-extensions nanobind narwhals networkx ninja numba numba-cuda numpy numpyro
onnx onnx-ir onnxruntime onnxscript opencv-python-headless optax opt-einsum opt-einsum-fx optimistix
orbax-checkpoint packaging pandas pathspec patsy peft pillow pip pluggy portalocker prometheus-client
propcache protobuf psutil pyarrow pybind11 py-cpuinfo pygments pyparsing pyproject-hooks pyre-extensions
pytest pytest-benchmark pytest-cov pytest-mock pytest-timeout pytest-xdist python-dateutil pytorch-lightning
pyyaml regex requests rich sacrebleu safetensors scikit-build-core scikit-image scikit-learn scipy seaborn
sentencepiece sentence-transformers setuptools shellingham simplejson six sortedcontainers statsmodels sympy
tabulate tensorboard tensorboard-data-server tensorstore threadpoolctl tifffile tiktoken timm tokenizers
toolz torch torchaudio torchdiffeq torch-geometric torchmetrics torchvision tqdm transformers treescope
triton typer typing-extensions typing-inspect urllib3 uvloop wadler-lindig werkzeug wheel wrapt xarray
xxhash yarl zipp"
PROVIDED=" $(echo $PROVIDED) "  # one line, a space on either side of every name

PLATFORMS=()
for p in manylinux2014_x86_64 manylinux1_x86_64 manylinux_2_17_x86_64 manylinux_2_24_x86_64 \
         manylinux_2_27_x86_64 manylinux_2_28_x86_64 manylinux_2_31_x86_64 manylinux_2_34_x86_64; do
    PLATFORMS+=(--platform "$p")
done
BINARY=(--only-binary=:all: --python-version "$PYVER" --implementation cp --abi "$TAG" --abi abi3 --abi none
        "${PLATFORMS[@]}")

normalise() {  # wheel file name -> normalised distribution name
    local base=${1##*/}
    echo "${base%%-*}" | tr '[:upper:]_.' '[:lower:]--'
}

mkdir -p "$DEST"
echo "resolving for CPython $PYVER into $CACHE"
$PIP download -q "${BINARY[@]}" -d "$CACHE" "${REQUIREMENTS[@]}"

rm -f "$DEST"/*.whl
for whl in "$CACHE"/*.whl; do
    name=$(normalise "$whl")
    [[ $PROVIDED == *" $name "* ]] && continue
    cp "$whl" "$DEST/"
done

if [[ $WITH_AER_GPU == 1 ]]; then
    # qiskit-aer-gpu (same module as qiskit-aer, so it lives in its own folder and its own --target) and the
    # one CUDA 12 runtime wheel small enough to carry; its other CUDA 12 libraries are hundreds of MB.
    GPU_DEST=.whl/aer-gpu-$TAG
    mkdir -p "$GPU_DEST"
    rm -f "$GPU_DEST"/*.whl
    $PIP download -q --no-deps "${BINARY[@]}" -d "$GPU_DEST" "qiskit-aer-gpu==0.18.2" "nvidia-cuda-runtime-cu12"
fi

echo
echo "carried wheels ($DEST):"
ls -1 "$DEST"
CARRIED=("$DEST")
[[ -d .whl/aer-gpu-$TAG ]] && CARRIED+=(".whl/aer-gpu-$TAG")
du -sh "${CARRIED[@]}" | sed 's/^/  /'
echo "  tracked files: $(git ls-files -z | du -ch --files0-from=- | tail -1 | cut -f1)"
echo "  tracked files + ${CARRIED[*]}: $(
    { git ls-files -z; find "${CARRIED[@]}" -type f -print0; } | du -ch --files0-from=- | tail -1 | cut -f1) (limit 64 MiB)"

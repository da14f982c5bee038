"""The exact engine on a CUDA GPU: W1/W2 at large batches, W3 up to 28 qubits with peak GPU memory, Aer's GPU
device, and peers on the same GPU.

Sections (``--sections``, all by default):

* ``engine``: W1 (8 qubits, <Z_i>) and W2 (8-qubit re-uploading fidelity) at B = 512, 4096, 32768, and the
  package's engine on the 15-qubit swap test (W1 at 7 qubits on each side, <Z> of the ancilla).
* ``w3``: W1 at 16, 20, 24, 28 qubits, each width in a fresh process with a time limit; the batch starts at
  ``--w3-batch`` and halves when the GPU runs out of memory. Peak GPU memory is
  ``torch.cuda.max_memory_allocated`` (on the CPU: peak resident set size). A width the engine refuses
  (it simulates up to 26 qubits) is a row whose note gives the refusal.
* ``aer``: Aer's GPU statevector probed with a 1-qubit circuit; where it runs, W1 and the 15-qubit swap test
  through ``QuantumLayer`` on Aer's GPU, else the exact reason it cannot; the same on Aer's CPU device for
  reference.
* ``peers``: TensorCircuit-NG (JAX, jit + vmap) on W1 on the same device; PennyLane's GPU devices where
  installed (else the reason).

Every row is a median over timed steps after a warm-up; a step is forward + backward with respect to
inputs and weights (Aer rows: forward only), ended by a device synchronisation. Every implementation's
output is compared with ``qiskit.quantum_info.Statevector`` before it is timed (not at W3 widths above 20
qubits, where Statevector itself is the bottleneck: the ``gpu`` tests check the engine there).

Examples:
    qhep bench gpu --json runs/bench/gpu.json            # on a CUDA machine (a few minutes)
    qhep bench gpu --sections engine w3                   # the engine alone
    qhep bench gpu --device cpu --quick                   # rehearsal on the CPU at tiny sizes (seconds)
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path
from typing import cast

import torch

from qhep_contrast.bench._peers import tensorcircuit_w1
from qhep_contrast.bench._timing import format_table, machine_info, median_seconds, write_json
from qhep_contrast.bench._workloads import check_against_statevector, synchronize, w1_step, w2_step
from qhep_contrast.circuits import swap_test, w1_spec, w2_spec
from qhep_contrast.circuits.spec import CircuitSpec
from qhep_contrast.exceptions import BackendError

__all__ = ["CudaUnavailableError", "SECTIONS", "add_arguments", "cuda_info", "run"]

SECTIONS: tuple[str, ...] = ("engine", "w3", "aer", "peers")


class CudaUnavailableError(BackendError):
    """``--device cuda`` on a machine where torch sees no CUDA device."""


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of ``qhep bench gpu``."""
    parser.add_argument("--device", choices=("cuda", "cpu"), default="cuda",
                        help="cuda (default; refused without a CUDA device) or cpu (a rehearsal)")
    parser.add_argument("--sections", nargs="+", choices=SECTIONS, default=list(SECTIONS),
                        help="what to run (default: all)")
    parser.add_argument("--batch-sizes", type=int, nargs="+", default=[512, 4096, 32768],
                        help="W1 and W2 batch sizes (default 512 4096 32768)")
    parser.add_argument("--w3-qubits", type=int, nargs="+", default=[16, 20, 24, 28],
                        help="W3 widths (default 16 20 24 28)")
    parser.add_argument("--w3-batch", type=int, default=64, help="first W3 batch; halved on out-of-memory")
    parser.add_argument("--w3-timeout", type=float, default=90.0, help="seconds allowed per W3 width")
    parser.add_argument("--aer-batch", type=int, default=512, help="parameter sets per Aer forward (default 512)")
    parser.add_argument("--swap-qubits", type=int, default=7,
                        help="qubits per side of the swap test (default 7: a 15-qubit circuit)")
    parser.add_argument("--repeats", type=int, default=20, help="timed steps per measurement (median)")
    parser.add_argument("--quick", action="store_true",
                        help="tiny sizes: B = 16 and 64, W3 at 6 and 8 qubits (B = 4), Aer B = 8, "
                             "a 7-qubit swap test, 3 repeats")
    parser.add_argument("--json", type=Path, default=None, help="also write the numbers to this JSON file")


def cuda_info() -> dict:
    """Card, capability, memory, torch's CUDA and cuDNN versions, and the driver (through NVML if present)."""
    props = torch.cuda.get_device_properties(0)
    info = {"card": props.name, "capability": f"{props.major}.{props.minor}",
            "multiprocessors": props.multi_processor_count, "memory_gib": round(props.total_memory / 2**30, 1),
            "torch_cuda": torch.version.cuda, "cudnn": torch.backends.cudnn.version()}
    try:
        import pynvml

        pynvml.nvmlInit()
        driver = pynvml.nvmlSystemGetDriverVersion()
        info["driver"] = driver.decode() if isinstance(driver, bytes) else driver
    except Exception as exc:  # noqa: BLE001 - NVML is optional: say why the driver is unknown
        info["driver"] = f"unknown ({type(exc).__name__}: {exc})"
    return info


def _require_device(device: str) -> None:
    if device == "cuda" and not torch.cuda.is_available():
        raise CudaUnavailableError(
            f"--device cuda but torch {torch.__version__} sees no CUDA device "
            f"(CUDA build: {torch.version.cuda or 'none, a CPU-only build'}); run on a machine with an NVIDIA GPU "
            "and a CUDA build of torch, or rehearse with --device cpu --quick."
        )


def _peak_reset(device: str) -> None:
    if device == "cuda":
        torch.cuda.empty_cache()
        torch.cuda.reset_peak_memory_stats()


def _peak_mb(device: str) -> float | None:
    return torch.cuda.max_memory_allocated() / 2**20 if device == "cuda" else None


def _timed_row(step, repeats: int, device: str, **row) -> dict:
    """Time ``step`` (median) and return ``row`` with ms/step, rate and peak GPU memory."""
    t = median_seconds(step, repeats)
    row.update(step_ms=1e3 * t, rate=row["batch"] / t, peak_gpu_mb=_peak_mb(device))
    return row


def _failure(row: dict, exc: BaseException) -> dict:
    row["note"] = f"failed: {type(exc).__name__}: {str(exc).strip().splitlines()[0] if str(exc).strip() else ''}"
    return row


def _swap_spec(qubits: int) -> CircuitSpec:
    return swap_test(w1_spec(qubits), measure=False)


def _engine_section(args: argparse.Namespace, device: str, repeats: int) -> list[dict]:
    rows = []
    w1, w2 = w1_spec(8, 3), w2_spec(8, 3)
    for batch in args.batch_sizes:
        for name, spec, make, unit in (("W1", w1, w1_step, "samples/s"), ("W2", w2, w2_step, "pairs/s")):
            row = {"workload": name, "impl": "qhep exact", "qubits": 8, "batch": batch, "unit": unit}
            try:
                _peak_reset(device)
                rows.append(_timed_row(make(spec, batch, device), repeats, device, **row))
            except (RuntimeError, MemoryError) as exc:  # torch.OutOfMemoryError is a RuntimeError
                rows.append(_failure(row, exc))
            print(_brief(rows[-1]), flush=True)
    swap = _swap_spec(args.swap_qubits)
    row = {"workload": "swap test", "impl": "qhep exact", "qubits": swap.num_qubits, "batch": args.aer_batch,
           "unit": "samples/s"}
    try:
        _peak_reset(device)
        rows.append(_timed_row(w1_step(swap, args.aer_batch, device), repeats, device, **row))
    except (RuntimeError, MemoryError) as exc:
        rows.append(_failure(row, exc))
    print(_brief(rows[-1]), flush=True)
    return rows


_W3_CODE = """
import json, resource, sys, torch
from qhep_contrast.bench._timing import median_seconds
from qhep_contrast.bench._workloads import w1_step
from qhep_contrast.circuits import w1_spec
n, batch, repeats, device = int(sys.argv[1]), int(sys.argv[2]), int(sys.argv[3]), sys.argv[4]
spec, out_of_memory = w1_spec(n), []
while True:
    try:
        if device == "cuda":
            torch.cuda.empty_cache(); torch.cuda.reset_peak_memory_stats()
        t = median_seconds(w1_step(spec, batch, device, check=n <= 20), repeats, warmup=1)
        break
    except torch.OutOfMemoryError:
        out_of_memory.append(batch)
        if batch == 1:
            print(json.dumps({"error": "out of GPU memory at B = 1", "out_of_memory_at": out_of_memory})); sys.exit()
        batch //= 2
peak = (torch.cuda.max_memory_allocated() / 2**20 if device == "cuda"
        else resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
print(json.dumps({"seconds": t, "batch": batch, "peak_mb": peak, "out_of_memory_at": out_of_memory}))
"""


def _w3_width(n: int, batch: int, repeats: int, device: str, timeout: float) -> dict:
    """W1 at ``n`` qubits in a fresh process (its own peak memory), within ``timeout`` seconds."""
    row = {"workload": "W3", "impl": "qhep exact", "qubits": n, "batch": batch, "unit": "samples/s"}
    start = time.perf_counter()
    try:
        proc = subprocess.run([sys.executable, "-c", _W3_CODE, str(n), str(batch), str(repeats), device],
                              capture_output=True, text=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        row["note"] = f"failed: timed out after {timeout:.0f} s"
        return row
    row["wall_s"] = time.perf_counter() - start
    lines = proc.stdout.strip().splitlines()
    if proc.returncode != 0 or not lines:
        row["note"] = "failed: " + ((proc.stderr.strip().splitlines() or [f"exit code {proc.returncode}"])[-1])
        return row
    r = json.loads(lines[-1])
    if "error" in r:
        row["note"] = f"failed: {r['error']} (tried B = {r['out_of_memory_at']})"
        return row
    row.update(batch=r["batch"], step_ms=1e3 * r["seconds"], rate=r["batch"] / r["seconds"])
    row["peak_gpu_mb" if device == "cuda" else "peak_rss_mb"] = r["peak_mb"]
    if r["out_of_memory_at"]:
        row["note"] = f"out of memory at B = {r['out_of_memory_at']}"
    return row


def _aer_forward_row(label: str, spec: CircuitSpec, batch: int, aer_device: str, repeats: int) -> dict:
    """Aer ``EstimatorV2`` (exact) through ``QuantumLayer``: forward of ``batch`` samples, checked first."""
    from qhep_contrast.execution import ExecutionConfig
    from qhep_contrast.qnn import QuantumLayer

    row = {"workload": label, "impl": f"Aer {aer_device} statevector",
           "qubits": spec.num_qubits, "batch": batch, "unit": "samples/s"}
    layer = QuantumLayer(spec, execution=ExecutionConfig(kind="aer", device=aer_device, method="statevector"),
                         seed=0)
    gen = torch.Generator().manual_seed(0)
    x = torch.rand(batch, spec.num_inputs, generator=gen)
    with torch.no_grad():
        check_against_statevector(cast(str, row["impl"]), spec, layer(x).numpy(), x, layer.weight.detach())

        def step() -> None:
            layer(x)

        t = median_seconds(step, repeats, warmup=1)
    row.update(step_ms=1e3 * t, rate=batch / t)
    return row


def _aer_section(args: argparse.Namespace, repeats: int) -> tuple[list[dict], dict]:
    """Probe Aer's GPU device; time W1 and the swap test on it where it runs, and on Aer's CPU device."""
    from qhep_contrast.execution.aer import check_gpu

    probe: dict = {}
    try:
        import qiskit_aer

        probe["qiskit_aer"] = qiskit_aer.__version__
        probe["available_devices"] = list(qiskit_aer.AerSimulator().available_devices())
        check_gpu()
        probe["gpu"] = "usable"
    except Exception as exc:  # noqa: BLE001 - the reason is the result
        probe["gpu"] = f"not usable: {type(exc).__name__}: {exc}"
    print(f"Aer GPU probe: {probe}", flush=True)
    rows = []
    devices = ["GPU", "CPU"] if probe["gpu"] == "usable" else ["CPU"]
    for label, spec in (("W1", w1_spec(8, 3)), ("swap test", _swap_spec(args.swap_qubits))):
        if "GPU" not in devices:
            rows.append({"workload": label, "impl": "Aer GPU statevector",
                         "qubits": spec.num_qubits, "note": f"skipped: Aer GPU {probe['gpu']}"})
        for aer_device in devices:
            try:
                rows.append(_aer_forward_row(label, spec, args.aer_batch, aer_device, max(1, repeats // 5)))
            except Exception as exc:  # noqa: BLE001 - record and go on
                rows.append(_failure({"workload": label, "impl": f"Aer {aer_device} statevector",
                                      "qubits": spec.num_qubits, "batch": args.aer_batch}, exc))
            print(_brief(rows[-1]), flush=True)
    return rows, probe


def _pennylane_gpu_reason() -> str:
    """Why PennyLane's GPU devices were not timed (they are timed nowhere yet: the reason is recorded)."""
    try:
        import pennylane as qml
    except ImportError:
        return "PennyLane not installed on this machine"
    for name in ("lightning.gpu", "lightning.kokkos"):
        try:
            qml.device(name, wires=2)
        except Exception as exc:  # noqa: BLE001 - the reason is the result
            return f"{name} unavailable: {type(exc).__name__}: {exc}"
    return "lightning.gpu and lightning.kokkos load, but no peer row is implemented for them"


def _peers_section(args: argparse.Namespace, device: str, repeats: int) -> list[dict]:
    rows = []
    w1 = w1_spec(8, 3)
    for batch in args.batch_sizes:
        row = {"workload": "W1", "impl": f"TensorCircuit-NG (JAX {device}, jit+vmap)", "qubits": 8, "batch": batch,
               "unit": "samples/s"}
        try:
            peer = tensorcircuit_w1(w1, 3, batch, device)
            if isinstance(peer, str):
                row["note"] = f"skipped: {peer}"
            else:
                step, forward, x, w = peer
                check_against_statevector("TensorCircuit-NG", w1, forward(), x, w)
                t = median_seconds(step, repeats)
                row.update(step_ms=1e3 * t, rate=batch / t)
        except Exception as exc:  # noqa: BLE001 - record and go on
            _failure(row, exc)
        rows.append(row)
        print(_brief(row), flush=True)
        if "note" in row and row["note"].startswith("skipped"):
            break
    rows.append({"workload": "W1", "impl": "PennyLane lightning.gpu / lightning.kokkos", "qubits": 8,
                 "note": f"skipped: {_pennylane_gpu_reason()}"})
    return rows


def _brief(row: dict) -> str:
    rate = f"{row['rate']:,.0f} {row['unit']}" if "rate" in row else ""
    return f"  {row['workload']} {row['impl']} n={row.get('qubits')} B={row.get('batch')} {rate} {row.get('note', '')}"


def run(args: argparse.Namespace) -> int:
    """Run the chosen sections, print the table, optionally write JSON."""
    device = args.device
    _require_device(device)
    if args.quick:
        args.batch_sizes, args.w3_qubits, args.w3_batch, args.aer_batch = [16, 64], [6, 8], 4, 8
        args.swap_qubits = 3
    repeats = 3 if args.quick else args.repeats
    result: dict = {"machine": machine_info(device), "sections": args.sections, "rows": []}
    if device == "cuda":
        result["cuda"] = cuda_info()
    print("machine: " + ", ".join(f"{k}={v}" for k, v in {**result["machine"], **result.get("cuda", {})}.items()),
          flush=True)
    rows = result["rows"]
    if "engine" in args.sections:
        rows += _engine_section(args, device, repeats)
    if "w3" in args.sections:
        for n in args.w3_qubits:
            rows.append(_w3_width(n, args.w3_batch, max(3, repeats // 4), device, args.w3_timeout))
            print(_brief(rows[-1]), flush=True)
    if "aer" in args.sections:
        aer_rows, result["aer_gpu_probe"] = _aer_section(args, repeats)
        rows += aer_rows
    if "peers" in args.sections:
        rows += _peers_section(args, device, repeats)
    synchronize(device)
    print()
    shown = [{**r, "note": r["note"][:110] + (" ..." if len(r["note"]) > 110 else "")} if "note" in r else r
             for r in rows]
    print(format_table(shown, [("workload", "workload"), ("impl", "implementation"), ("qubits", "n"),
                              ("batch", "B"), ("step_ms", "ms/step"), ("rate", "rate"), ("unit", "unit"),
                              ("peak_gpu_mb", "peak GPU MB"), ("peak_rss_mb", "peak RSS MB"), ("note", "note")]))
    write_json(args.json, result)
    return 0

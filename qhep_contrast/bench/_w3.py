"""One W3 point (the W1 circuit at a given width and batch) in this process: step time and peak memory.

Run as ``python -m qhep_contrast.bench._w3 --qubits N --batch B --impl IMPL`` from ``qhep bench engine``, one
fresh process per point, so that the peak resident set size (``VmHWM``, which counts torch's and C++
allocations alike) is the point's own. Prints one JSON line: ``seconds`` (median step),
``peak_rss_mb`` (peak after the timed steps, before the correctness check), ``base_rss_mb`` (after
imports and set-up, before the first step) or ``error``.

Implementations: ``engine`` (``gradient="auto"``), ``engine-fused``, ``engine-adjoint`` (the exact engine's
gradient methods) and ``lightning`` (PennyLane ``lightning.qubit`` adjoint, when installed). The outputs
of the first two samples are compared with ``Statevector`` after timing (up to ``--check-max-qubits``).
"""

from __future__ import annotations

import argparse
import json
import resource

import torch

__all__ = ["IMPLS", "WARMUP_BELOW", "main"]

IMPLS: tuple[str, ...] = ("engine", "engine-fused", "engine-adjoint", "lightning")
#: From this width on a step takes many seconds and compiles nothing lazily worth hiding: no warm-up step.
WARMUP_BELOW = 22


def _rss_mb() -> float:
    """Peak resident set size of this process in MB: ``VmHWM`` (reset by ``exec``, unlike ``ru_maxrss``, which
    a child inherits from the process that forked it), else ``getrusage``."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _point(qubits: int, batch: int, impl: str, repeats: int, device: str, check_max: int) -> dict:
    from qhep_contrast.bench._peers import lightning_w1
    from qhep_contrast.bench._timing import median_seconds
    from qhep_contrast.bench._workloads import check_against_statevector, w1_step
    from qhep_contrast.circuits import w1_spec
    from qhep_contrast.execution.exact import compile as compile_exact

    spec = w1_spec(qubits, 3)
    if impl == "lightning":
        peer = lightning_w1(spec, 3, batch)
        if isinstance(peer, str):
            return {"error": f"skipped: {peer}"}
        step, forward, x, w = peer

        def values():
            return forward().detach().numpy()
    else:
        ec = compile_exact(spec.circuit, spec.inputs, spec.weights)
        ec.gradient = {"engine": "auto", "engine-fused": "fused", "engine-adjoint": "adjoint"}[impl]
        step = w1_step(spec, batch, device, "engine", check=False)
        gen = torch.Generator().manual_seed(0)  # the inputs and weights w1_step draws
        x = torch.rand(batch, spec.num_inputs, generator=gen)
        w = torch.rand(spec.num_weights, generator=gen)
        observables = ec.observable_program(spec.observables)

        def values():
            with torch.no_grad():
                return ec.expectation(x.to(device), w.to(device), observables).cpu().numpy()
    base = _rss_mb()
    seconds = median_seconds(step, repeats, warmup=1 if qubits < WARMUP_BELOW else 0)
    peak = _rss_mb()
    out = {"seconds": seconds, "peak_rss_mb": peak, "base_rss_mb": base}
    if qubits <= check_max:
        check_against_statevector(impl, spec, values()[:2], x.detach()[:2].cpu(), w.detach().cpu())
        out["checked"] = True
    return out


def main(argv: list[str] | None = None) -> int:
    """Measure one W3 point and print its JSON line."""
    parser = argparse.ArgumentParser(prog="python -m qhep_contrast.bench._w3")
    parser.add_argument("--qubits", type=int, required=True)
    parser.add_argument("--batch", type=int, required=True)
    parser.add_argument("--impl", choices=IMPLS, default="engine")
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--check-max-qubits", type=int, default=20)
    args = parser.parse_args(argv)
    from qhep_contrast.execution.exact.allocator import keep_freed_memory

    keep_freed_memory()
    print(json.dumps(_point(args.qubits, args.batch, args.impl, args.repeats, args.device, args.check_max_qubits)))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

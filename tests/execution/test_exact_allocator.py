"""The glibc allocator setting: applied on Linux, skipped on request, and it removes per-step page faults."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest

from qhep_contrast.execution.exact import allocator

linux_glibc = pytest.mark.skipif(
    not sys.platform.startswith("linux") or "glibc" not in " ".join(os.confstr("CS_GNU_LIBC_VERSION").split()[:1]),
    reason="mallopt is a glibc feature",
)

_PROBE = """
import json, resource, sys, torch
from qhep_contrast.execution.exact.allocator import keep_freed_memory, allocator_tuned
ok = keep_freed_memory() if sys.argv[1] == "1" else False
x = torch.ones(1024, 256, dtype=torch.complex64)  # 2 MiB: a W2 batch of 8-qubit states
def step():
    y = x * 2
    z = y @ torch.ones(256, 256, dtype=torch.complex64)
    return (z + y).sum()
for _ in range(5):
    step()
before = resource.getrusage(resource.RUSAGE_SELF).ru_minflt
for _ in range(100):
    step()
faults = resource.getrusage(resource.RUSAGE_SELF).ru_minflt - before
print(json.dumps({"ok": ok, "tuned": allocator_tuned(), "faults": faults}))
"""


def _probe(tune: bool, env: dict | None = None) -> dict:
    out = subprocess.run([sys.executable, "-c", _PROBE, "1" if tune else "0"], capture_output=True, text=True,
                         check=True, env={**os.environ, **(env or {})})
    return json.loads(out.stdout.strip().splitlines()[-1])


@linux_glibc
def test_tuning_removes_page_faults_of_repeated_large_buffers() -> None:
    plain = _probe(False)
    tuned = _probe(True)
    assert tuned["ok"] and tuned["tuned"] and not plain["tuned"]
    # untuned, 2 MiB buffers are mapped afresh and faulted in on every step; tuned, heap blocks are reused
    assert plain["faults"] > 10 * max(tuned["faults"], 100)


@linux_glibc
def test_environment_variable_disables_tuning() -> None:
    result = _probe(True, {"QHEP_MALLOC_TUNING": "0"})
    assert result["ok"] is False and result["tuned"] is False


def test_non_linux_is_a_no_op(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(allocator.sys, "platform", "darwin")
    assert allocator.keep_freed_memory() is False

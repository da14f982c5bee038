"""Turn a Qiskit circuit into a :class:`Program`: an angle program, single-qubit tables and fused stages.

Scheduling is an as-soon-as-possible placement of every gate into a list of stages of five kinds:

* ``kron``: weight-only single-qubit gates on distinct qubits (per-qubit chains, applied by window GEMMs);
* ``kron_ps``: input-dependent single-qubit gates that are not single-axis rotations (elementwise path);
* ``diag``: diagonal phases, from parametrised diagonal gates (``rzz, crz, cp``) and from input-dependent
  single-axis rotations rewritten as ``L . diag . R`` (see ``_rotations``);
* ``mono``: constant permutation-with-phase gates (CX rings, SWAPs, CZ, Toffoli), fused into one gather;
* ``general``: any other multi-qubit gate, applied with its dense local matrix.

A gate on qubits ``Q`` must come after ``j = max(last[q] for q in Q)``, the last stage touching ``Q``. It
joins stage ``j`` if that stage has its kind (it is then the last op on ``Q`` there), else the earliest
later stage of its kind (later stages do not touch ``Q``, so the gate commutes past them), else a new stage.
Only gates on disjoint qubits (or diagonal gates with each other) are reordered, so the schedule is exact.
Single-qubit gates before any multi-qubit gate on their qubit form the *product prefix*, evaluated
directly as a product state.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import cast

import numpy as np
from qiskit.circuit import Gate, Parameter, QuantumCircuit

from qhep_contrast.exceptions import UnsupportedInstructionError
from qhep_contrast.execution.exact import _gates
from qhep_contrast.execution.exact._angles import AngleProgram, AngleRef
from qhep_contrast.execution.exact._rotations import factor_rotation
from qhep_contrast.execution.exact._stages import (
    Diagonal,
    General,
    GlobalPhase,
    KronLayer,
    Monomial,
    ProductPrefix,
)

__all__ = ["Program", "build_program", "WINDOW"]

#: Largest number of contiguous qubits a shared KronLayer fuses into one matrix (2**WINDOW square).
WINDOW = 4
_MERGEABLE = frozenset({"kron", "kron_ps", "diag", "mono"})


@dataclass
class _Op:
    kind: str  # "1q" | "mono" | "const" | "trig" | "diag"
    qubits: list[int]
    matrix: np.ndarray | None = None
    name: str = ""
    params: list = field(default_factory=list)
    cols: list = field(default_factory=list)  # per parameter: (angle column, constant value, per-sample)


@dataclass
class _Stage:
    kind: str
    chains: dict[int, list[tuple]] = field(default_factory=dict)  # kron / kron_ps
    ops: list[_Op] = field(default_factory=list)  # mono / general
    diag: list[tuple[int, np.ndarray]] = field(default_factory=list)  # (angle column, pattern)
    offset: np.ndarray | None = None
    per_sample: bool = False


@dataclass
class Program:
    """Everything needed to evaluate a circuit: see :class:`qhep_contrast.execution.exact.ExactCircuit`.

    ``u_shared``/``u_sample`` hold ``(C, K, cols)`` with derived angles ``C + K * theta_ext[cols]`` of the
    U-form single-qubit gates; ``const_1q`` the constant single-qubit matrices (placed after the shared
    U-form ones, followed by the identity).
    """

    num_qubits: int
    angles: AngleProgram
    u_shared: tuple[np.ndarray, np.ndarray, np.ndarray]
    u_sample: tuple[np.ndarray, np.ndarray, np.ndarray]
    const_1q: np.ndarray
    prefix: ProductPrefix
    stages: list


def _flatten(circuit: QuantumCircuit, qubit_map: list[int], ops: list[_Op], phases: list, top: str | None) -> None:
    """Append the circuit's gates (definitions expanded) to ``ops`` and its global phases to ``phases``."""
    phases.append(circuit.global_phase)
    for inst in circuit.data:
        op = inst.operation
        qubits = [qubit_map[circuit.find_bit(q).index] for q in inst.qubits]
        name = op.name
        where = top or name
        if name in _gates.SKIP:
            continue
        if not isinstance(op, Gate) or inst.clbits:
            detail = "" if where == name else f" (inside {where!r})"
            raise UnsupportedInstructionError(
                f"the exact engine cannot run instruction {name!r}{detail} on qubits {qubits}: it runs "
                "unitary gates only. Remove measurements/resets for exact training, or use the `aer` "
                "executor (ExecutionConfig(kind='aer')) which samples them."
            )
        if not _gates.has_free_parameters(op) and op.num_qubits <= 4 and (
            name in _gates.SUPPORTED_GATES or op.definition is None
        ):
            mat = _gates.constant_matrix(op)
            if op.num_qubits == 1:
                ops.append(_Op("1q", qubits, matrix=mat))
            else:
                monomial = np.all(np.count_nonzero(np.abs(mat) > 1e-12, axis=0) == 1)
                ops.append(_Op("mono" if monomial else "const", qubits, matrix=mat))
        elif name in _gates.U_FORM:
            ops.append(_Op("1q", qubits, name=name, params=list(op.params)))
        elif name in _gates.TRIG_FORM:
            ops.append(_Op("trig", qubits, name=name, params=list(op.params)))
        elif name in _gates.DIAG_FORM:
            ops.append(_Op("diag", qubits, name=name, params=list(op.params)))
        elif op.definition is not None:
            _flatten(op.definition, qubits, ops, phases, where)
        else:
            raise UnsupportedInstructionError(
                f"the exact engine does not support gate {name!r} on qubits {qubits} and it has no "
                "definition to expand; use the `aer` executor (ExecutionConfig(kind='aer'))."
            )


def _local_index(n: int, qubits: list[int]) -> np.ndarray:
    """``l(k) = sum_j bit(k, qubits[j]) << j`` for every basis index ``k``."""
    k = np.arange(2**n)
    return cast(np.ndarray, sum(((k >> q) & 1) << j for j, q in enumerate(qubits)))


def _monomial(n: int, qubits: list[int], mat: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Gather form ``out[k] = ph[k] psi[src[k]]`` of a permutation-with-phase gate."""
    col_of_row = np.argmax(np.abs(mat) > 1e-12, axis=1)
    k = np.arange(2**n)
    local = _local_index(n, qubits)
    cleared = k & ~sum(1 << q for q in qubits)
    c = col_of_row[local]
    src = cleared | sum(((c >> j) & 1) << q for j, q in enumerate(qubits))
    return src, mat[local, c]


class _Scheduler:
    """As-soon-as-possible placement of gates into stages (see the module docstring)."""

    def __init__(self, n: int) -> None:
        self.n = n
        self.prefix: list[list[tuple]] = [[] for _ in range(n)]
        self.last = [-1] * n
        self.stages: list[_Stage] = []
        self.consts: list[np.ndarray] = []

    def place(self, kind: str, qubits: list[int]) -> _Stage:
        """Find (or create) the stage of ``kind`` for a gate on ``qubits`` and mark them as touched."""
        j = max(self.last[q] for q in qubits)
        chosen = None
        if kind in _MERGEABLE:
            if j >= 0 and self.stages[j].kind == kind:
                chosen = j
            else:
                chosen = next((k for k in range(j + 1, len(self.stages)) if self.stages[k].kind == kind), None)
        if chosen is None:
            self.stages.append(_Stage(kind, offset=np.zeros(2**self.n)))
            chosen = len(self.stages) - 1
        for q in qubits:
            self.last[q] = chosen
        return self.stages[chosen]

    def const_ref(self, mat: np.ndarray) -> tuple:
        self.consts.append(mat)
        return ("c", len(self.consts) - 1)

    def add_1q(self, q: int, ref: tuple, per_sample: bool, factored) -> None:
        """Place a single-qubit gate given by matrix reference ``ref``."""
        if self.last[q] == -1:
            self.prefix[q].append(ref)
            return
        if not per_sample:
            self.place("kron", [q]).chains.setdefault(q, []).append(ref)
            return
        if factored is None:
            stage = self.place("kron_ps", [q])
            stage.chains.setdefault(q, []).append(ref)
            stage.per_sample = True
            return
        left, right, a, col = factored
        if not np.allclose(right, np.eye(2)):
            self.place("kron", [q]).chains.setdefault(q, []).append(self.const_ref(right))
        self.add_diag([q], col, a[_local_index(self.n, [q])], np.zeros(2**self.n), True)
        if not np.allclose(left, np.eye(2)):
            self.place("kron", [q]).chains.setdefault(q, []).append(self.const_ref(left))

    def add_diag(self, qubits: list[int], col: int, pattern: np.ndarray, offset: np.ndarray, ps: bool) -> None:
        stage = self.place("diag", qubits)
        stage.diag.append((col, pattern))
        stage.offset = stage.offset + offset
        stage.per_sample |= ps


def _column(ref: AngleRef, n_shared: int) -> tuple[int, float, bool]:
    """(column in the extended angle table, constant value, per-sample) of an angle reference.

    Extended tables: shared ``[0, shared...]``; per-sample ``[0, shared..., sample...]``.
    """
    if ref.group == "const":
        return 0, ref.value, False
    if ref.group == "shared":
        return 1 + ref.index, 0.0, False
    return 1 + n_shared + ref.index, 0.0, True


def build_program(circuit: QuantumCircuit, inputs: list[Parameter], weights: list[Parameter]) -> Program:
    """Compile ``circuit`` for the given input and weight parameters (see the module docstring)."""
    n = circuit.num_qubits
    ops: list[_Op] = []
    phases: list = []
    _flatten(circuit, list(range(n)), ops, phases, None)
    exprs = [p for op in ops for p in op.params] + [sum(phases[1:], phases[0])]
    angles = AngleProgram(exprs, inputs, weights)
    n_shared = angles.shared.size
    cursor = iter(angles.refs)
    for op in ops:
        op.cols = [_column(next(cursor), n_shared) for _ in op.params]
    gp_col, gp_val, gp_ps = _column(next(cursor), n_shared)

    sched = _Scheduler(n)
    u_rows: dict[bool, list] = {False: [], True: []}
    for op in ops:
        if op.kind == "1q":
            _schedule_1q(sched, op, u_rows)
        elif op.kind == "mono":
            sched.place("mono", op.qubits).ops.append(op)
        elif op.kind == "diag":
            a, b = _gates.diag_components(op.name)
            local = _local_index(n, op.qubits)
            col, _, ps = op.cols[0]
            sched.add_diag(op.qubits, col, a[local], b[local], ps)
        else:
            sched.place("general", op.qubits).ops.append(op)

    ms_u = len(u_rows[False])
    identity = ms_u + len(sched.consts)

    def resolve(ref: tuple) -> int:
        kind, j = ref
        return {"s": j, "c": ms_u + j, "p": identity + 1 + j}[kind]

    def table(chains: list[list[tuple]]) -> tuple[np.ndarray, bool]:
        width = max(1, max(len(c) for c in chains))
        out = np.full((len(chains), width), identity, dtype=np.int64)
        for r, chain in enumerate(chains):
            out[r, : len(chain)] = [resolve(ref) for ref in chain]
        return out, any(ref[0] == "p" for chain in chains for ref in chain)

    stages = [_runtime_stage(st, n, table) for st in sched.stages]
    stages = [s for s in stages if s is not None]
    if gp_col or abs(gp_val) > 0:
        stages.append(GlobalPhase(gp_val, gp_col or None, gp_ps))
    prefix_table, _ = table(sched.prefix)
    return Program(
        num_qubits=n,
        angles=angles,
        u_shared=_pack(u_rows[False]),
        u_sample=_pack(u_rows[True]),
        const_1q=np.array(sched.consts, dtype=complex).reshape(-1, 2, 2),
        prefix=ProductPrefix(prefix_table),
        stages=stages,
    )


def _schedule_1q(sched: _Scheduler, op: _Op, u_rows: dict[bool, list]) -> None:
    """Register a single-qubit gate's matrix and place it (factoring per-sample rotations)."""
    q = op.qubits[0]
    if op.matrix is not None:
        sched.add_1q(q, sched.const_ref(op.matrix), False, None)
        return
    c_row, k_row, col_row = [], [], []
    for const, coef, pidx in _gates.U_FORM[op.name]:
        col, cval, _ = op.cols[pidx]
        c_row.append(const + coef * cval)
        k_row.append(coef if col else 0.0)
        col_row.append(col)
    ps = any(c[2] for c in op.cols)
    factored = None
    if ps and sched.last[q] != -1:
        varying = {c for c, k in zip(col_row, k_row) if k}
        if len(varying) == 1:
            fac = factor_rotation(np.array(c_row), np.array(k_row))
            if fac is not None:
                factored = (*fac, varying.pop())
    if factored is not None:
        sched.add_1q(q, ("p", -1), True, factored)
        return
    u_rows[ps].append((c_row, k_row, col_row))
    sched.add_1q(q, ("p" if ps else "s", len(u_rows[ps]) - 1), ps, None)


def _runtime_stage(st: _Stage, n: int, table):
    """Build the runtime object of a scheduled stage (None for an empty one)."""
    if st.kind in ("kron", "kron_ps"):
        qubits = sorted(st.chains)
        tab, ps = table([st.chains[q] for q in qubits])
        constant = all(ref[0] == "c" for q in qubits for ref in st.chains[q])
        return KronLayer(qubits, tab, ps, n, WINDOW, constant)
    if st.kind == "diag":
        cols = [c for c, _ in st.diag]
        return Diagonal(cols, np.stack([p for _, p in st.diag]), cast(np.ndarray, st.offset), st.per_sample, n)
    if st.kind == "mono":
        src, ph = np.arange(2**n), np.ones(2**n, dtype=complex)
        for op in st.ops:
            s_g, p_g = _monomial(n, op.qubits, cast(np.ndarray, op.matrix))
            src, ph = src[s_g], p_g * ph[s_g]
        return Monomial(src, ph)
    (op,) = st.ops
    if op.kind == "const":
        return General(op.qubits, n, const=op.matrix)
    tc = _gates.trig_components(op.name)
    col, _, ps = op.cols[0]
    return General(op.qubits, n, trig=(tc.a, tc.b_cos, tc.b_sin), angle_col=col, per_sample=ps)


def _pack(rows: list) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if not rows:
        return np.zeros((0, 4)), np.zeros((0, 4)), np.zeros((0, 4), dtype=np.int64)
    c, k, cols = zip(*rows)
    return np.array(c, dtype=float), np.array(k, dtype=float), np.array(cols, dtype=np.int64)

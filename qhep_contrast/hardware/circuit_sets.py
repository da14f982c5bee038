"""The circuits a transpilation study covers: registry builders at chosen sizes, or circuits from QPY files.

Every entry is a :class:`StudyCircuit` named ``<family>_<n>q``, where the family is a key of
:data:`~qhep_contrast.circuits.BUILDERS`, ``"w1"``/``"w2"``, or a fidelity circuit over W2 (``"swap_test_w2"``,
``"compute_uncompute_w2"``), and ``n`` is the builder's size argument (for the fidelity circuits, the width of
the encoding they compare: ``swap_test_8q`` has 17 qubits).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from qiskit import qpy
from qiskit.circuit import QuantumCircuit

from qhep_contrast.circuits import (
    CircuitSpec,
    amplitude_encoder,
    angle_encoder,
    compute_uncompute,
    destructive_swap_test,
    hardware_efficient,
    qcnn,
    qssl_classifier,
    quantum_autoencoder,
    qvit_query_key,
    qvit_value,
    reuploading_encoder,
    sqae_circuit,
    swap_test,
    token_loader,
    w1_spec,
    w2_spec,
)
from qhep_contrast.exceptions import CircuitError, CorruptFileError, DataFileNotFoundError

__all__ = [
    "FAMILIES",
    "DEFAULT_FAMILIES",
    "HEADLINE_FAMILIES",
    "StudyCircuit",
    "build_at_size",
    "canonical_size",
    "circuit_set",
    "default_circuit_set",
    "load_qpy_circuits",
    "load_run_circuits",
    "load_circuits_from",
]

_SIZED: dict[str, Callable[[int], CircuitSpec]] = {
    "angle_encoder": lambda n: angle_encoder(n),
    "token_loader": lambda n: token_loader(n),
    "reuploading_encoder": lambda n: reuploading_encoder(n),
    "amplitude_encoder": lambda n: amplitude_encoder(n),
    "hardware_efficient": lambda n: hardware_efficient(n),
    "qcnn": lambda n: qcnn(n),
    "qvit_query_key": lambda n: qvit_query_key(n),
    "qvit_value": lambda n: qvit_value(n),
    "quantum_autoencoder": lambda n: quantum_autoencoder(n // 2, n - n // 2),
    "qssl_classifier": lambda n: _fixed_width(qssl_classifier(), n),
    "sqae_circuit": lambda n: _fixed_width(sqae_circuit(), n),
    "compose": lambda n: w1_spec(n),
    "swap_test": lambda n: swap_test(w1_spec(n)),
    "compute_uncompute": lambda n: compute_uncompute(w1_spec(n)),
    "destructive_swap_test": lambda n: destructive_swap_test(w1_spec(n)),
    "w1": lambda n: w1_spec(n),
    "w2": lambda n: w2_spec(n),
    "swap_test_w2": lambda n: swap_test(w2_spec(n)),
    "compute_uncompute_w2": lambda n: compute_uncompute(w2_spec(n)),
}

FAMILIES: tuple[str, ...] = tuple(_SIZED)
"""Every family :func:`build_at_size` knows: the registry's builders, ``"w1"``, ``"w2"``, and the swap test and
compute-uncompute over W2 (``"swap_test_w2"``, ``"compute_uncompute_w2"``)."""

DEFAULT_FAMILIES: tuple[str, ...] = tuple(f for f in FAMILIES if f not in {"compose", "swap_test_w2",
                                                                          "compute_uncompute_w2", "qssl_classifier"})
"""The registry's families without ``compose`` (it is W1) and the fixed-width ``qssl_classifier``, plus
``"w1"``, ``"w2"``: what ``--sizes`` sweeps."""

HEADLINE_FAMILIES: tuple[str, ...] = ("w1", "swap_test", "compute_uncompute")
"""Swept over sizes in the default set: the hybrid layer W1 and both fidelity estimators over W1.

Over W1 the ansatz weights cancel algebraically in ``U(x2; w)^dagger U(x1; w)``, but Qiskit's optimiser only
removes the adjacent pair of entangling rings (levels 1-3), exactly as for W2, whose data re-uploading leaves
nothing to cancel: the ``*_w2`` families transpile to the same two-qubit counts (measured at 4, 8, 12 qubits),
so W1 is a fair stand-in for the cost of a fidelity model that trains."""

_SMALL_BY_DEFAULT = frozenset({"token_loader", "qvit_query_key", "qvit_value"})
_FIXED_WIDTH = {"qssl_classifier": 5, "sqae_circuit": 15}


def _fixed_width(spec: CircuitSpec, num_qubits: int) -> CircuitSpec:
    if num_qubits != spec.num_qubits:
        raise CircuitError(f"{spec.metadata.get('builder', spec.name)} has a fixed width of {spec.num_qubits} qubits; "
                           f"size {num_qubits} was asked for. Build it at size {spec.num_qubits}.")
    return spec


@dataclass(frozen=True)
class StudyCircuit:
    """A logical circuit in a study.

    Attributes:
        name: unique row label, ``<family>_<n>q`` for built circuits.
        family: builder family (``"w1"``, ``"swap_test"``, ...) or ``"qpy"`` for loaded circuits.
        size: the builder's size argument ``n`` (for loaded circuits: the qubit count).
        circuit: the parametrized circuit.
    """

    name: str
    family: str
    size: int
    circuit: QuantumCircuit


def canonical_size(family: str) -> int:
    """The size argument at which :func:`build_at_size` gives ``default_specs()[family]`` (4, 5 or 8)."""
    _check_family(family)
    if family in _FIXED_WIDTH:
        return _FIXED_WIDTH[family]
    return 4 if family in _SMALL_BY_DEFAULT else 8


def build_at_size(family: str, num_qubits: int) -> CircuitSpec:
    """Build ``family`` with size argument ``num_qubits`` and the builder's other defaults.

    ``quantum_autoencoder`` splits ``n`` into ``n // 2`` latent and ``n - n // 2`` trash qubits; ``compose``
    is W1; the fidelity builders compare two copies of W1 on ``n`` qubits (of W2 for the ``*_w2`` families).

    Raises:
        CircuitError: unknown family, or a size the builder rejects.
    """
    _check_family(family)
    return _SIZED[family](num_qubits)


def _check_family(family: str) -> None:
    if family not in _SIZED:
        raise CircuitError(f"unknown circuit family {family!r}; expected one of {', '.join(FAMILIES)}.")


def circuit_set(families: Sequence[str], sizes: Sequence[int] | None = None) -> list[StudyCircuit]:
    """Each family at each size (``None``: at its canonical size), named ``<family>_<n>q``."""
    out = []
    for family in families:
        for n in sizes if sizes else (canonical_size(family),):
            out.append(StudyCircuit(f"{family}_{n}q", family, n, build_at_size(family, n).circuit))
    return out


def default_circuit_set(headline_sizes: Sequence[int] = (4, 8, 12)) -> list[StudyCircuit]:
    """:data:`DEFAULT_FAMILIES` at their canonical sizes, except :data:`HEADLINE_FAMILIES`, which are built
    at ``headline_sizes`` (21 circuits with the default sizes).
    """
    circuits = circuit_set([f for f in DEFAULT_FAMILIES if f not in HEADLINE_FAMILIES])
    return circuits + circuit_set(HEADLINE_FAMILIES, headline_sizes)


def load_qpy_circuits(path: str | Path) -> list[StudyCircuit]:
    """Every circuit in a QPY file, named ``<file stem>`` (or ``<stem>_<i>`` when the file holds several).

    Raises:
        DataFileNotFoundError: ``path`` does not exist or is a folder.
        CorruptFileError: the file is not QPY.
    """
    path = Path(path)
    if not path.is_file():
        raise DataFileNotFoundError(
            f"QPY file {str(path)!r} does not exist (or is a folder); pass a .qpy file, e.g. circuits/w1.qpy, "
            "or a training run folder runs/<experiment>/<stamp>/ to --circuit-from."
        )
    try:
        with path.open("rb") as handle:
            circuits = qpy.load(handle)
    except Exception as err:  # noqa: BLE001 - qpy raises several types on bad input
        raise CorruptFileError(f"{str(path)!r} is not a readable QPY file ({type(err).__name__}: {err}).") from err
    single = len(circuits) == 1
    return [
        StudyCircuit(path.stem if single else f"{path.stem}_{i}", "qpy", c.num_qubits, c)
        for i, c in enumerate(circuits)
    ]


def load_run_circuits(run_dir: str | Path) -> list[StudyCircuit]:
    """The circuit of a training run folder (``runs/<experiment>/<stamp>/``), rebuilt from its ``config.toml``.

    The circuit is parametrized, so the trained weights in the checkpoints are not needed (bind them after
    transpiling). A run trained with a fidelity loss also yields the circuits that estimate its fidelities on
    hardware: ``compute_uncompute_<run>`` and ``swap_test_<run>``. Names are ``<experiment>_<stamp>``.

    Raises:
        CheckpointError: ``run_dir`` is not a run folder (no ``config.toml``).
        ConfigError: its configuration is invalid for this version of the package.
    """
    from qhep_contrast.experiment.builders import build_circuit
    from qhep_contrast.experiment.run_dir import read_run_config
    from qhep_contrast.losses.registry import LOSSES

    config = read_run_config(run_dir)
    spec = build_circuit(config.circuit)
    name = f"{config.experiment}_{Path(run_dir).name}"
    out = [StudyCircuit(name, "run", spec.num_qubits, spec.circuit)]
    if LOSSES.traits(config.loss.name).inputs == "states":
        out += [
            StudyCircuit(f"compute_uncompute_{name}", "run", spec.num_qubits, compute_uncompute(spec).circuit),
            StudyCircuit(f"swap_test_{name}", "run", spec.num_qubits, swap_test(spec).circuit),
        ]
    return out


def load_circuits_from(path: str | Path) -> list[StudyCircuit]:
    """:func:`load_run_circuits` for a folder, :func:`load_qpy_circuits` for a file."""
    return load_run_circuits(path) if Path(path).is_dir() else load_qpy_circuits(path)

"""Error-aware layout search: the physical qubits that maximise a circuit's estimated success probability.

The method follows ``mapomatic`` (Nation and Treinish, "Suppressing quantum circuit errors due to system
variability", PRX Quantum 4, 010327 (2023)), written here with vectorised scoring:

1. Take a routed ISA circuit (transpiled once with the default layout) and the graph ``H`` of its active
   physical qubits, with an edge wherever a two-qubit gate acts. Routing has already made ``H`` a subgraph of
   the coupling map, so it can be placed elsewhere on the device without new SWAPs.
2. Enumerate subgraph isomorphisms of ``H`` into the coupling graph (``rustworkx.vf2_mapping``, VF2 of
   Cordella et al. 2004; non-induced, direction ignored: a two-qubit gate against the native direction costs
   single-qubit gates only), at most ``max_mappings`` of them.
3. Score every mapping by the estimated success of the relabelled circuit,
   ``sum_k -log(1 - e_k)`` over the circuit's gates and measurements at their new qubits (missing errors count
   as 0, as in :mod:`qhep_contrast.hardware.success`), all mappings at once with numpy. Qubits with no
   two-qubit gate are placed afterwards, greedily, on the free qubits with the lowest error.
4. Return the best candidates as an initial layout of the logical circuit's virtual qubits: transpile again
   with ``initial_layout`` set to each and keep the one with the highest estimated success.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import rustworkx as rx
from qiskit.circuit import QuantumCircuit
from qiskit.transpiler import Target

from qhep_contrast.exceptions import CircuitError

__all__ = ["LayoutCandidate", "rank_layouts"]


@dataclass(frozen=True)
class LayoutCandidate:
    """One candidate placement of a logical circuit.

    Attributes:
        physical_qubits: physical qubit of each virtual qubit (pass as ``initial_layout``).
        estimated_success: estimated success probability of the routed circuit moved onto these qubits.
    """

    physical_qubits: tuple[int, ...]
    estimated_success: float


@dataclass(frozen=True)
class _Usage:
    """Gate usage of a routed circuit on its nodes (indices into ``nodes``)."""

    nodes: tuple[int, ...]
    one_qubit: dict[str, np.ndarray]  # name -> counts per node, shape (len(nodes),)
    two_qubit: dict[tuple[str, int, int], int]  # (name, node a, node b) -> count


def _usage(isa: QuantumCircuit, extra_nodes: tuple[int, ...]) -> _Usage:
    """Count the gates of ``isa`` per physical qubit and qubit pair."""
    one: Counter[tuple[str, int]] = Counter()
    two: Counter[tuple[str, int, int]] = Counter()
    for instruction in isa.data:
        operation = instruction.operation
        if getattr(operation, "_directive", False) or operation.name == "delay":
            continue
        qargs = tuple(isa.find_bit(qubit).index for qubit in instruction.qubits)
        if len(qargs) == 1:
            one[(operation.name, qargs[0])] += 1
        elif len(qargs) == 2:
            two[(operation.name, *qargs)] += 1
        else:
            raise CircuitError(
                f"rank_layouts: {operation.name!r} acts on {len(qargs)} qubits; pass an ISA circuit (one- and "
                "two-qubit gates only)."
            )
    nodes = tuple(sorted({q for _, q in one} | {q for _, a, b in two for q in (a, b)} | set(extra_nodes)))
    index = {q: i for i, q in enumerate(nodes)}
    one_qubit: dict[str, np.ndarray] = {}
    for (name, qubit), count in one.items():
        one_qubit.setdefault(name, np.zeros(len(nodes)))[index[qubit]] += count
    two_qubit = {(name, index[a], index[b]): count for (name, a, b), count in two.items()}
    return _Usage(nodes, one_qubit, two_qubit)


def _cost(error: float | None) -> float:
    """``-log(1 - e)``; a missing error costs 0, a certain failure ``inf``."""
    if error is None:
        return 0.0
    return -math.log1p(-error) if error < 1.0 else math.inf


def _one_qubit_costs(target: Target, name: str) -> np.ndarray:
    """``-log(1 - e)`` of one-qubit instruction ``name`` on each physical qubit; ``inf`` where unsupported."""
    costs = np.full(target.num_qubits, np.inf)
    for qargs, properties in target[name].items():
        if qargs is not None and len(qargs) == 1:
            costs[qargs[0]] = _cost(None if properties is None else properties.error)
    return costs


def _two_qubit_costs(target: Target, name: str) -> np.ndarray:
    """``-log(1 - e)`` of two-qubit ``name`` on each ordered pair; the reverse pair's when only it exists."""
    costs = np.full((target.num_qubits, target.num_qubits), np.inf)
    for qargs, properties in target[name].items():
        if qargs is not None and len(qargs) == 2:
            cost = _cost(None if properties is None else properties.error)
            costs[qargs] = cost
            if qargs[::-1] not in target[name]:
                costs[qargs[::-1]] = cost
    return costs


def _coupling_graph(target: Target, names: set[str]) -> rx.PyGraph:
    """Undirected graph of the physical qubits with an edge wherever one of ``names`` acts on the pair."""
    graph = rx.PyGraph(multigraph=False)
    graph.add_nodes_from(range(target.num_qubits))
    for name in names:
        for qargs in target[name]:
            if qargs is not None and len(qargs) == 2:
                graph.add_edge(qargs[0], qargs[1], None)
    return graph


def _check_supported(target: Target, usage: _Usage) -> None:
    """Every gate name of the routed circuit must exist in the target."""
    names = set(usage.one_qubit) | {name for name, _, _ in usage.two_qubit}
    unknown = sorted(names - set(target.operation_names))
    if unknown:
        raise CircuitError(
            f"rank_layouts: instructions {unknown} are not in the target; pass a circuit transpiled for it."
        )


def _mappings(
    target: Target, usage: _Usage, connected: list[int], max_mappings: int, call_limit: int | None
) -> np.ndarray:
    """Array ``(M, len(connected))``: physical qubit of each connected node in each of ``M`` mappings."""
    if not connected:
        return np.zeros((1, 0), dtype=np.int64)
    position = {node: i for i, node in enumerate(connected)}
    pattern = rx.PyGraph(multigraph=False)
    pattern.add_nodes_from(range(len(connected)))
    for _, a, b in usage.two_qubit:
        pattern.add_edge(position[a], position[b], None)
    coupling = _coupling_graph(target, {name for name, _, _ in usage.two_qubit})
    found = rx.vf2_mapping(coupling, pattern, subgraph=True, induced=False, id_order=False, call_limit=call_limit)
    rows: list[list[int]] = []
    for mapping in itertools.islice(found, max_mappings):
        row = [0] * len(connected)
        for physical, node in mapping.items():
            row[node] = physical
        rows.append(row)
    return np.asarray(rows, dtype=np.int64).reshape(len(rows), len(connected))


def _scores(target: Target, usage: _Usage, connected: list[int], maps: np.ndarray) -> np.ndarray:
    """``sum -log(1 - e)`` of the connected nodes' gates under each mapping, shape ``(M,)``."""
    position = {node: i for i, node in enumerate(connected)}
    scores = np.zeros(len(maps))
    for name, counts in usage.one_qubit.items():
        costs = _one_qubit_costs(target, name)
        for node in connected:
            if counts[node]:
                scores += counts[node] * costs[maps[:, position[node]]]
    for name in {name for name, _, _ in usage.two_qubit}:
        costs = _two_qubit_costs(target, name)
        for (gate, a, b), count in usage.two_qubit.items():
            if gate == name:
                scores += count * costs[maps[:, position[a]], maps[:, position[b]]]
    return scores


def _place_isolated(
    target: Target, usage: _Usage, isolated: list[int], taken: set[int], costs: Mapping[str, np.ndarray]
) -> tuple[dict[int, int], float]:
    """Greedy placement of nodes without two-qubit gates on free qubits: ``(node -> physical, added cost)``."""
    placement: dict[int, int] = {}
    total = 0.0
    free = np.ones(target.num_qubits, dtype=bool)
    free[list(taken)] = False
    weight = {node: sum(counts[node] for counts in usage.one_qubit.values()) for node in isolated}
    for node in sorted(isolated, key=lambda n: -weight[n]):
        node_cost = np.zeros(target.num_qubits)
        for name, counts in usage.one_qubit.items():
            if counts[node]:
                node_cost += counts[node] * costs[name]
        node_cost[~free] = np.inf
        physical = int(np.argmin(node_cost))
        if not np.isfinite(node_cost[physical]):
            raise CircuitError(
                f"rank_layouts: no free physical qubit supports the gates of qubit {usage.nodes[node]}; "
                "the target is too small or lacks those gates."
            )
        placement[node] = physical
        total += float(node_cost[physical])
        free[physical] = False
    return placement, total


def rank_layouts(
    isa: QuantumCircuit,
    target: Target,
    max_candidates: int = 3,
    max_mappings: int = 20_000,
    call_limit: int | None = 10_000_000,
) -> list[LayoutCandidate]:
    """Best initial layouts for the logical circuit behind ``isa``, by estimated success (see module doc).

    Args:
        isa: the logical circuit transpiled for ``target`` with any layout (its ``layout`` must be set).
        target: the backend's target.
        max_candidates: how many distinct layouts to return, best first.
        max_mappings: at most this many subgraph isomorphisms are scored.
        call_limit: VF2 state limit passed to ``rustworkx.vf2_mapping`` (bounds the search time).

    Returns:
        Up to ``max_candidates`` :class:`LayoutCandidate` objects, highest ``estimated_success`` first (the
        routed circuit's own placement is among those scored). Placements that need a gate with error 1
        (a broken coupler) are never returned; the list is empty if every placement does.

    Raises:
        CircuitError: ``isa`` has no layout, or is not an ISA circuit for ``target``.
    """
    if isa.layout is None:
        raise CircuitError("rank_layouts: the circuit has no layout; pass the output of a transpilation.")
    initial = tuple(isa.layout.initial_index_layout(filter_ancillas=True))
    usage = _usage(isa, initial)
    _check_supported(target, usage)
    in_pairs = {node for _, a, b in usage.two_qubit for node in (a, b)}
    connected = sorted(in_pairs)
    isolated = [node for node in range(len(usage.nodes)) if node not in in_pairs]
    maps = _mappings(target, usage, connected, max_mappings, call_limit)
    own = np.asarray([[usage.nodes[node] for node in connected]], dtype=np.int64)
    maps = np.unique(np.concatenate([own, maps]), axis=0)
    scores = _scores(target, usage, connected, maps)
    one_costs = {name: _one_qubit_costs(target, name) for name in usage.one_qubit}
    node_of = {physical: node for node, physical in enumerate(usage.nodes)}
    candidates: dict[tuple[int, ...], float] = {}
    for row in np.argsort(scores, kind="stable")[: 4 * max_candidates]:
        if not np.isfinite(scores[row]):
            break
        placement = dict(zip(connected, (int(p) for p in maps[row])))
        extra, cost = _place_isolated(target, usage, isolated, set(placement.values()), one_costs)
        placement.update(extra)
        layout = tuple(placement[node_of[physical]] for physical in initial)
        candidates.setdefault(layout, float(scores[row]) + cost)
    ranked = sorted(candidates.items(), key=lambda item: item[1])[:max_candidates]
    return [LayoutCandidate(layout, math.exp(-cost)) for layout, cost in ranked]

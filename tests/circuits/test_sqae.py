"""The SQAE circuits: patch pixel map, patch re-uploading encoder, swap test vs the engine's trash overlap."""

from __future__ import annotations

import numpy as np
import pytest
import torch
from qiskit import QuantumCircuit
from qiskit.quantum_info import DensityMatrix, Statevector, partial_trace

from qhep_contrast.circuits.patches import patch_pixel_map, patch_reuploading_encoder
from qhep_contrast.circuits.sqae import (
    sqae_circuit,
    sqae_inverse_reference,
    sqae_swap_test,
    trash_qubits,
    zero_projector,
)
from qhep_contrast.exceptions import CircuitError, ShapeError
from qhep_contrast.execution.exact import compile as compile_exact
from qhep_contrast.execution.trash_overlap import product_state, trash_fidelity


def _bind(spec, x: torch.Tensor, w: torch.Tensor) -> QuantumCircuit:
    values = dict(zip(spec.inputs, x.tolist())) | dict(zip(spec.weights, w.tolist()))
    return spec.circuit.assign_parameters(values)


def test_patch_pixel_map_of_the_sqae_and_the_hybrid() -> None:
    sqae = patch_pixel_map(12, 4)
    assert sqae.shape == (9, 16)
    assert sqae[0].tolist() == [0, 1, 2, 3, 12, 13, 14, 15, 24, 25, 26, 27, 36, 37, 38, 39]
    assert sqae[4, 0] == 4 * 12 + 4 and sqae[8, -1] == 143
    assert sorted(sqae.reshape(-1).tolist()) == list(range(144))  # disjoint patches cover the image once
    hybrid = patch_pixel_map(9, 3, 2)
    assert hybrid.shape == (16, 9)
    assert hybrid[1].tolist() == [2, 3, 4, 11, 12, 13, 20, 21, 22]
    assert hybrid[-1].tolist() == [60, 61, 62, 69, 70, 71, 78, 79, 80]


def test_sqae_encoder_has_576_weights_at_two_drcs() -> None:
    spec = patch_reuploading_encoder(12, 4, 4, 2)
    assert (spec.num_qubits, spec.num_inputs, spec.num_weights) == (9, 144, 576)
    assert patch_reuploading_encoder(12, 4, 4, 1).num_weights == 288
    assert patch_reuploading_encoder(9, 3, 2, 2).num_weights == 576
    ops = spec.circuit.count_ops()
    assert (ops["rz"], ops["ry"], ops["cx"]) == (2 * 9 * 11, 2 * 9 * 5, 2 * 9)  # slots 0,2,3,5,... are RZ
    whole = sqae_circuit()
    assert (whole.num_qubits, whole.num_weights) == (15, 586)


def test_patch_encoder_matches_a_hand_built_circuit() -> None:
    """Qubit q loads its patch's pixels with b + w x on the cycled axes; CX(n-1, 0) then CX(i, i+1)."""
    spec = patch_reuploading_encoder(4, 2, 2, 2)
    rng = np.random.default_rng(3)
    x, w = rng.uniform(0, 1, 16), rng.uniform(-2, 2, spec.num_weights)
    ew, eb = w[:32], w[32:]
    reference = QuantumCircuit(4)
    patches = [[0, 1, 4, 5], [2, 3, 6, 7], [8, 9, 12, 13], [10, 11, 14, 15]]
    for layer in range(2):
        for q, pixels in enumerate(patches):
            for k, p in enumerate(pixels):
                j = (layer * 4 + q) * 4 + k
                getattr(reference, ("rz", "ry", "rz")[k % 3])(eb[j] + ew[j] * x[p], q)
        reference.cx(3, 0)
        for q in range(3):
            reference.cx(q, q + 1)
    built = _bind(spec, torch.tensor(x), torch.tensor(w))
    assert Statevector(built).equiv(Statevector(reference))


@pytest.mark.parametrize("seed", [0, 1])
def test_swap_test_ancilla_equals_the_engine_trash_overlap(seed: int) -> None:
    """<Z_ancilla> of the 15-qubit swap test (Statevector) = <r|rho_trash|r> from the 9-qubit engine state."""
    spec = sqae_circuit()
    encoder = patch_reuploading_encoder(12, 4, 4, 2)
    gen = torch.Generator().manual_seed(seed)
    x = torch.rand(3, 144, generator=gen, dtype=torch.float64)
    w = (torch.rand(576, generator=gen, dtype=torch.float64) * 2 - 1) * 2
    theta, phi = torch.rand(2, 5, generator=gen, dtype=torch.float64) * 3
    psi = compile_exact(encoder.circuit, encoder.inputs, encoder.weights).statevector(x, w, dtype=torch.complex128)
    engine = trash_fidelity(psi, product_state(theta, phi), trash_qubits(9, 4))
    swap = [Statevector(_bind(spec, x[b], torch.cat([w, theta, phi]))).expectation_value(spec.observables[0]).real
            for b in range(3)]
    assert np.allclose(engine.numpy(), swap, atol=1e-10)
    assert np.all(np.ptp(swap) > 1e-3)  # inputs give different fidelities (the test can fail)


@pytest.mark.parametrize("seed", [0, 1])
def test_inverse_reference_projector_equals_the_swap_test(seed: int) -> None:
    """P(trash = 0...0) after undoing |r> (9 qubits, Statevector) = <Z_ancilla> of the 15-qubit swap test."""
    encoder = patch_reuploading_encoder(12, 4, 4, 2)
    swap, inverse = sqae_circuit(), sqae_inverse_reference(encoder, 4)
    assert inverse.num_qubits == 9 and [str(p) for p in inverse.weights] == [str(p) for p in swap.weights]
    gen = torch.Generator().manual_seed(seed + 10)
    x = torch.rand(3, 144, generator=gen, dtype=torch.float64)
    weights = torch.cat([(torch.rand(576, generator=gen, dtype=torch.float64) * 2 - 1) * 2,
                         torch.rand(10, generator=gen, dtype=torch.float64) * 3])
    got = [Statevector(_bind(inverse, x[b], weights)).expectation_value(inverse.observables[0]).real for b in range(3)]
    want = [Statevector(_bind(swap, x[b], weights)).expectation_value(swap.observables[0]).real for b in range(3)]
    assert np.allclose(got, want, atol=1e-10)
    assert np.ptp(got) > 1e-3


def test_zero_projector_is_the_projector_on_the_named_qubits() -> None:
    op = zero_projector(3, (0, 2)).to_matrix()
    diagonal = [1.0 if (i & 1) == 0 and (i >> 2 & 1) == 0 else 0.0 for i in range(8)]
    assert np.allclose(op, np.diag(diagonal))


def test_trash_fidelity_matches_a_partial_trace_on_scattered_qubits() -> None:
    rng = np.random.default_rng(5)
    psi = rng.normal(size=(2, 32)) + 1j * rng.normal(size=(2, 32))
    psi /= np.linalg.norm(psi, axis=1, keepdims=True)
    theta, phi = torch.tensor([0.3, 2.0]), torch.tensor([1.1, -0.4])
    r = product_state(theta.double(), phi.double()).numpy()
    got = trash_fidelity(torch.tensor(psi), torch.tensor(r), [3, 1]).numpy()
    for b in range(2):
        rho = partial_trace(Statevector(psi[b]), [0, 2, 4])  # keeps qubits 1, 3 (qubit 1 = bit 0 of rho)
        swapped = QuantumCircuit(2)  # the reference is ordered (3, 1): bit 0 of r is qubit 3
        swapped.swap(0, 1)
        rho_31 = DensityMatrix(rho).evolve(swapped)
        assert np.isclose(got[b], np.real(np.conj(r) @ rho_31.data @ r), atol=1e-12)


def test_product_state_matches_ry_then_rz() -> None:
    theta, phi = torch.tensor([0.4, 1.7, 2.9], dtype=torch.float64), torch.tensor([0.2, -1.0, 3.0], dtype=torch.float64)
    circuit = QuantumCircuit(3)
    for k in range(3):
        circuit.ry(float(theta[k]), k)
        circuit.rz(float(phi[k]), k)
    assert np.allclose(product_state(theta, phi).numpy(), Statevector(circuit).data, atol=1e-12)


def test_zero_weights_and_zero_reference_give_fidelity_one_for_every_input() -> None:
    """The pseudo-solution of the |0...0> reference: b = w = 0 leaves |0...0>, so F = 1 whatever the image."""
    encoder = patch_reuploading_encoder(12, 4, 4, 2)
    circuit = compile_exact(encoder.circuit, encoder.inputs, encoder.weights)
    x = torch.rand(5, 144, dtype=torch.float64)
    psi = circuit.statevector(x, torch.zeros(576, dtype=torch.float64), dtype=torch.complex128)
    zeros = product_state(torch.zeros(5, dtype=torch.float64), torch.zeros(5, dtype=torch.float64))
    assert torch.allclose(trash_fidelity(psi, zeros, range(4, 9)), torch.ones(5, dtype=torch.float64))
    other = product_state(torch.full((5,), 1.0, dtype=torch.float64), torch.zeros(5, dtype=torch.float64))
    assert (trash_fidelity(psi, other, range(4, 9)) < 0.5).all()


def test_bad_arguments_are_refused() -> None:
    with pytest.raises(CircuitError, match="kernel_size"):
        patch_pixel_map(4, 5)
    with pytest.raises(CircuitError, match="num_latent"):
        sqae_swap_test(patch_reuploading_encoder(4, 2, 2, 1), 4)
    with pytest.raises(ShapeError, match="reference"):
        trash_fidelity(torch.ones(1, 8, dtype=torch.complex64), torch.ones(2, dtype=torch.complex64), [0, 1])
    with pytest.raises(ShapeError, match="distinct"):
        trash_fidelity(torch.ones(1, 8, dtype=torch.complex64), torch.ones(4, dtype=torch.complex64), [0, 0])

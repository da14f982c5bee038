"""The engine's hand-written adjoints against torch.autograd.gradcheck and plain-torch references."""

from __future__ import annotations

import pytest
import torch

from qhep_contrast.execution.exact import _autograd as ag

C128 = torch.complex128


def _rand(gen: torch.Generator, *shape: int, complex_: bool = True) -> torch.Tensor:
    if complex_:
        return torch.randn(*shape, dtype=C128, generator=gen).requires_grad_(True)
    return torch.randn(*shape, dtype=torch.float64, generator=gen).requires_grad_(True)


def _reference_windows(psi, gs, windows, n):
    """Apply each window as a dense kron(I, g, I) matrix: independent of the engine's reshapes."""
    for (lo, k), g in zip(windows, gs):
        full = torch.kron(torch.kron(torch.eye(2 ** (n - lo - k), dtype=C128), g), torch.eye(2**lo, dtype=C128))
        psi = psi @ full.T
    return psi


@pytest.mark.parametrize("batch", [1, 3])
@pytest.mark.parametrize("windows", [[(0, 2), (2, 2)], [(0, 1), (2, 3)], [(1, 2)], [(3, 2)]])
def test_windows_match_dense_reference_and_gradcheck(batch, windows) -> None:
    gen = torch.Generator().manual_seed(5)
    n = 5
    psi = _rand(gen, batch, 2**n)
    gs = [_rand(gen, 2**k, 2**k) for _, k in windows]
    got = ag.apply_windows(psi, gs, windows, n)
    torch.testing.assert_close(got, _reference_windows(psi, gs, windows, n))
    assert torch.autograd.gradcheck(lambda p, *g: ag.apply_windows(p, list(g), windows, n), (psi, *gs))


def test_windows_without_matrix_gradients() -> None:
    gen = torch.Generator().manual_seed(6)
    psi = _rand(gen, 2, 16)
    g = torch.randn(4, 4, dtype=C128, generator=gen)
    assert torch.autograd.gradcheck(lambda p: ag.apply_windows(p, [g, g], [(0, 2), (2, 2)], 4), (psi,))


@pytest.mark.parametrize("psi_batch,ang_batch", [(3, 3), (1, 3), (3, 1)])
def test_phases_match_exp_reference_and_gradcheck(psi_batch, ang_batch) -> None:
    gen = torch.Generator().manual_seed(7)
    n = 5
    psi = _rand(gen, psi_batch, 2**n)
    ang = _rand(gen, ang_batch, n, 2, complex_=False)
    tables = ag.phase_tables(n, torch.float64, psi.device, window=2)  # windows of 2, 2, 1 qubits
    k = torch.arange(2**n)
    phi = sum(ang[:, q, (k >> q) & 1] for q in range(n))  # loop transcription of sum_q ang[q, bit_q(k)]
    torch.testing.assert_close(ag.apply_phases(psi, ang, tables), psi * torch.exp(1j * phi))
    assert torch.autograd.gradcheck(lambda p, a: ag.apply_phases(p, a, tables), (psi, ang))


@pytest.mark.parametrize("hb,lb", [(2, 2), (1, 2), (2, 1)])
def test_outer_matches_kron_and_gradcheck(hb, lb) -> None:
    gen = torch.Generator().manual_seed(8)
    hi, lo = _rand(gen, hb, 4), _rand(gen, lb, 8)
    got = ag.outer(hi, lo)
    b = max(hb, lb)
    ref = torch.stack([torch.kron(hi[min(i, hb - 1)], lo[min(i, lb - 1)]) for i in range(b)])
    torch.testing.assert_close(got, ref)
    assert torch.autograd.gradcheck(ag.outer, (hi, lo))


def test_product_state_matches_kron_chain() -> None:
    gen = torch.Generator().manual_seed(9)
    f = _rand(gen, 2, 6, 2)
    ref = []
    for b in range(2):
        v = f[b, 0]
        for q in range(1, 6):
            v = torch.kron(f[b, q], v)  # qubit q is more significant
        ref.append(v)
    torch.testing.assert_close(ag.product_state(f), torch.stack(ref))
    assert torch.autograd.gradcheck(ag.product_state, (f,))


def test_permute_and_overlap_gradcheck() -> None:
    gen = torch.Generator().manual_seed(10)
    psi = _rand(gen, 3, 8)
    src = torch.randperm(8, generator=gen)
    ph = torch.exp(1j * torch.rand(8, dtype=torch.float64, generator=gen))
    torch.testing.assert_close(ag.permute(psi, src, torch.argsort(src), ph), psi[:, src] * ph)
    assert torch.autograd.gradcheck(lambda p: ag.permute(p, src, torch.argsort(src), ph), (psi,))
    other = _rand(gen, 3, 8)
    torch.testing.assert_close(ag.overlap(psi, other), (psi.conj() * other).sum(-1))
    assert torch.autograd.gradcheck(ag.overlap, (psi, other))

"""The exact engine on every circuit builder of the library, against Statevector."""

from __future__ import annotations

import numpy as np
import pytest
import torch

from qhep_contrast.circuits import compute_uncompute, swap_test, w2_spec
from qhep_contrast.execution.exact import compile
from tests.execution.conftest import engine_specs, reference_states


@pytest.mark.parametrize(("name", "spec"), list(engine_specs(w2_spec(4, 2)).items()))
def test_builder_matches_statevector(name, spec) -> None:
    ec = compile(spec.circuit, spec.inputs, spec.weights)
    g = torch.Generator().manual_seed(0)
    x = torch.rand(2, spec.num_inputs, dtype=torch.float64, generator=g) * 2 - 1
    w = torch.rand(spec.num_weights, dtype=torch.float64, generator=g) * 2 - 1
    ref = reference_states(spec.circuit, spec.inputs, spec.weights, x, w)
    np.testing.assert_allclose(ec.statevector(x, w).numpy(), ref, atol=1e-10)
    np.testing.assert_allclose(ec.statevector(x.float(), w.float()).numpy(), ref, atol=1e-5)
    if spec.observables:
        assert ec.expectation(x, w, spec.observables).shape == (2, len(spec.observables))


def test_fidelity_circuits_estimate_the_engine_fidelity() -> None:
    """Swap test <Z_anc> and compute-uncompute P(0) equal |<psi(x1)|psi(x2)>|^2 from the engine."""
    from qhep_contrast.execution.exact import fidelity

    enc = w2_spec(3, 2)
    ec = compile(enc.circuit, enc.inputs, enc.weights)
    g = torch.Generator().manual_seed(1)
    x1 = torch.rand(4, enc.num_inputs, dtype=torch.float64, generator=g) * 3
    x2 = torch.rand(4, enc.num_inputs, dtype=torch.float64, generator=g) * 3
    w = torch.rand(enc.num_weights, dtype=torch.float64, generator=g)
    f = fidelity(ec.statevector(x1, w), ec.statevector(x2, w))
    cu = compute_uncompute(enc, measure=False)
    p0 = compile(cu.circuit, cu.inputs, cu.weights).probabilities(torch.cat([x1, x2], 1), w)[:, 0]
    np.testing.assert_allclose(p0.numpy(), f.numpy(), atol=1e-10)
    st = swap_test(enc, measure=False)
    z = compile(st.circuit, st.inputs, st.weights).expectation(torch.cat([x1, x2], 1), w, st.observables)[:, 0]
    np.testing.assert_allclose(z.numpy(), f.numpy(), atol=1e-10)

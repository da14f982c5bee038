"""LorentzNet and its quantum variant: parameter count, Lorentz/rotation invariance, padding, batching."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from qiskit import QuantumCircuit
from qiskit.quantum_info import SparsePauliOp, Statevector

from qhep_contrast.data.particles import pack_particles, pid_one_hot
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.models.controls import DenseCore
from qhep_contrast.models.dressed_quantum import DressedQuantumNet
from qhep_contrast.models.lorentznet import LorentzNetOptions, build_lorentznet
from qhep_contrast.models.registry import MODELS
from qhep_contrast.qnn.layer import QuantumLayer

QUANTUM = ["phi_e", "phi_h", "phi_x", "phi_m"]


def _jets(n: int = 3, m: int = 6, seed: int = 0, counts: tuple[int, ...] = (6, 4, 2)) -> torch.Tensor:
    """Packed jets ``(n, 1, m, 13)`` of massive particles (E > |p|), float64, ``counts[k]`` real particles."""
    rng = np.random.default_rng(seed)
    p = rng.normal(0.0, 1.0, (n, m, 3)) + np.array([0.0, 0.0, 3.0])
    e = np.sqrt((p**2).sum(-1) + rng.uniform(0.01, 0.2, (n, m)))
    mask = np.arange(m)[None, :] < np.asarray(counts)[:, None]
    pid = rng.choice([22, 211, 2112, 11], (n, m))
    return torch.from_numpy(pack_particles(mask, np.concatenate([e[..., None], p], -1), pid_one_hot(pid))).double()


def _rotation(rng: np.random.Generator) -> np.ndarray:
    q, r = np.linalg.qr(rng.normal(size=(3, 3)))
    q = q * np.sign(np.diag(r))
    if np.linalg.det(q) < 0:
        q[:, 0] = -q[:, 0]
    out = np.eye(4)
    out[1:, 1:] = q
    return out


def _boost(rng: np.random.Generator, rapidity: float) -> np.ndarray:
    n = rng.normal(size=3)
    n /= np.linalg.norm(n)
    ch, sh = math.cosh(rapidity), math.sinh(rapidity)
    out = np.eye(4)
    out[0, 0] = ch
    out[0, 1:] = out[1:, 0] = sh * n
    out[1:, 1:] += (ch - 1) * np.outer(n, n)
    return out


def _transform(jets: torch.Tensor, lam: np.ndarray) -> torch.Tensor:
    out = jets.clone()
    out[..., 1:5] = jets[..., 1:5] @ torch.from_numpy(lam).T
    return out


def _model(**options: object) -> torch.nn.Module:
    defaults: dict[str, object] = {"width": 6, "layers": 3}
    defaults.update(options)
    model = build_lorentznet(LorentzNetOptions(**defaults), image_shape=(1, 6, 13), seed=3).double()
    return model.eval()


def _out(model: torch.nn.Module, jets: torch.Tensor) -> torch.Tensor:
    with torch.no_grad():
        return model.project(model.embed(jets))


def test_parameter_count_of_the_published_configuration() -> None:
    model = build_lorentznet(LorentzNetOptions(width=72, layers=6, c_weight=1e-3), image_shape=(1, 30, 13), seed=0)
    assert sum(p.numel() for p in model.parameters()) == 227_096


@pytest.mark.parametrize("quantum", [[], QUANTUM, ["phi_e"]], ids=["classical", "all_quantum", "phi_e"])
def test_minkowski_output_invariant_under_lorentz_transformations(quantum: list[str]) -> None:
    options = {"quantum": quantum, "width": 2, "layers": 2} if quantum else {}
    model, jets = _model(**options), _jets()
    ref = _out(model, jets)
    rng = np.random.default_rng(1)
    for _ in range(3):
        lam = _rotation(rng) @ _boost(rng, rng.uniform(-1.5, 1.5)) @ _rotation(rng)
        assert np.allclose(lam.T @ np.diag([1, -1, -1, -1]) @ lam, np.diag([1, -1, -1, -1]))
        torch.testing.assert_close(_out(model, _transform(jets, lam)), ref, rtol=1e-6, atol=1e-9)
        with torch.no_grad():
            torch.testing.assert_close(model.embed(_transform(jets, lam)), model.embed(jets), rtol=1e-6, atol=1e-9)
    assert ref.std() > 1e-4 * ref.abs().max()  # the jets give different outputs: the check can fail


@pytest.mark.parametrize("quantum", [[], ["phi_e", "phi_x"]], ids=["classical", "quantum"])
def test_euclidean_metric_keeps_rotations_and_breaks_boosts(quantum: list[str]) -> None:
    options: dict[str, object] = {"metric": "euclidean", "quantum": quantum}
    if quantum:
        options.update(width=2, layers=2)
    model, jets = _model(**options), _jets()
    ref = _out(model, jets)
    rng = np.random.default_rng(2)
    t = rng.uniform(0, 2 * math.pi)
    xy = np.eye(4)
    xy[1:3, 1:3] = [[math.cos(t), -math.sin(t)], [math.sin(t), math.cos(t)]]
    torch.testing.assert_close(_out(model, _transform(jets, xy)), ref, rtol=1e-6, atol=1e-9)
    with torch.no_grad():
        rest, moved = model.embed(jets), model.embed(_transform(jets, _boost(rng, 0.8)))
    assert (moved - rest).abs().max() > 1e-4 * rest.abs().max()  # 100 times the invariance tolerance


@pytest.mark.parametrize("quantum", [[], QUANTUM], ids=["classical", "quantum"])
@pytest.mark.parametrize("train", [False, True], ids=["eval", "train"])
def test_padding_does_not_change_the_output(quantum: list[str], train: bool) -> None:
    options: dict[str, object] = {"quantum": quantum, "width": 2, "layers": 2} if quantum else {}
    model = _model(**options).train(train)
    jets = _jets()
    padded = torch.cat([jets, torch.zeros(3, 1, 5, 13, dtype=jets.dtype)], dim=2)
    torch.testing.assert_close(model.embed(padded), model.embed(jets), rtol=1e-10, atol=1e-12)
    if train:  # batch statistics: dropping real particles of jet 0 changes them for every jet
        return
    short = jets[:, :, :4]  # the real particles of jets 1 and 2 fit in 4 rows; jet 0 loses two
    torch.testing.assert_close(model.embed(short)[1:], model.embed(jets)[1:], rtol=1e-10, atol=1e-12)
    assert not torch.allclose(model.embed(short)[:1], model.embed(jets)[:1])


def test_each_circuit_runs_once_per_block_on_every_edge() -> None:
    model = _model(quantum=QUANTUM, width=2, layers=3)
    rows: list[int] = []
    for module in model.modules():
        if isinstance(module, QuantumLayer):
            module.register_forward_hook(lambda mod, args, out: rows.append(args[0].shape[0]))
    model.embed(_jets())
    edges, particles = 6 * 5 + 4 * 3 + 2 * 1, 12
    # per block: phi_e, phi_m (edges), phi_x (edges, not in the last block), phi_h (particles)
    assert sorted(rows) == sorted([edges, edges, particles] * 3 + [edges] * 2)


def test_twin_is_classical_at_the_quantum_widths() -> None:
    quantum = build_lorentznet(LorentzNetOptions(quantum=["phi_e"], width=4), image_shape=(1, 6, 13))
    twin = build_lorentznet(LorentzNetOptions(twin=True, quantum=["phi_e"], width=4), image_shape=(1, 6, 13))
    assert not any(isinstance(m, QuantumLayer) for m in twin.modules())
    assert quantum.encoder.blocks[0].phi_e.num_qubits == 10
    assert twin.encoder.blocks[0].phi_e[0].out_features == 10


def test_gradients_reach_every_parameter() -> None:
    model = _model(quantum=QUANTUM, width=2, layers=2).train()
    model.project(model.embed(_jets())).sum().backward()
    missing = [n for n, p in model.named_parameters() if p.grad is None]
    assert not missing


@pytest.mark.parametrize("control, total, trainable", [
    ("none", 227_102, 227_102), ("frozen_circuit", 227_102, 227_096), ("product_standin", 227_096, 227_096),
    ("equal_width_twin", 227_108, 227_108)])
def test_controls_of_the_quantum_variant_replace_every_circuit(control: str, total: int, trainable: int) -> None:
    """At LorentzNet's widths with phi_m quantum (one qubit and 1 weight per block, 6 blocks): frozen keeps the 6
    weights untrained, the stand-in drops them, the dense control has Linear(1, 1) (2 parameters) per block."""
    model = build_lorentznet(LorentzNetOptions(quantum=["phi_m"], edge_width=72, control=control),
                             image_shape=(1, 30, 13), seed=0)
    assert sum(p.numel() for p in model.parameters()) == total
    assert sum(p.numel() for p in model.parameters() if p.requires_grad) == trainable
    layers = [net.layer for net in model.modules() if isinstance(net, DressedQuantumNet)]
    assert len(layers) == 6
    if control == "equal_width_twin":
        assert all(isinstance(layer, DenseCore) for layer in layers)
    elif control == "product_standin":
        assert all(isinstance(layer, QuantumLayer) and layer.num_weights == 0 for layer in layers)


def test_product_standin_is_the_dressed_circuit_without_entanglers_and_weights() -> None:
    """Each stand-in qubit computes <Z> of RY(tanh(a) pi/2) H|0>, checked against Statevector."""
    model = _model(quantum=["phi_e"], width=2, layers=1, control="product_standin")
    [net] = [m for m in model.modules() if isinstance(m, DressedQuantumNet)]
    a = torch.tensor([[0.3, -1.1, 2.0, 0.0, -0.4, 0.9]], dtype=torch.float64)
    got = net(a)[0].detach().numpy()
    for i, value in enumerate(a[0].tolist()):
        circuit = QuantumCircuit(1)
        circuit.h(0)
        circuit.ry(math.tanh(value) * math.pi / 2, 0)
        assert got[i] == pytest.approx(Statevector(circuit).expectation_value(SparsePauliOp("Z")).real, abs=1e-6)


@pytest.mark.parametrize("control", ["frozen_circuit", "product_standin", "equal_width_twin"])
def test_controls_stay_lorentz_invariant_and_train(control: str) -> None:
    model = _model(quantum=["phi_e", "phi_m"], width=2, layers=2, control=control)
    jets = _jets()
    lam = _boost(np.random.default_rng(1), 0.7) @ _rotation(np.random.default_rng(2))
    torch.testing.assert_close(_out(model, _transform(jets, lam)), _out(model, jets), rtol=1e-6, atol=1e-9)
    circuits = [p for net in model.modules() if isinstance(net, DressedQuantumNet) for p in net.parameters()
                if p.numel()]
    assert (len(circuits) == 0) == (control == "product_standin")
    before = [p.detach().clone() for p in circuits]
    optimizer = torch.optim.SGD([p for p in model.parameters() if p.requires_grad], lr=0.1)
    model.train()
    model.project(model.embed(jets)).sum().backward()
    optimizer.step()
    moved = [not torch.equal(b, p) for b, p in zip(before, circuits)]
    assert moved == ([False] * len(circuits) if control == "frozen_circuit" else [True] * len(circuits))


def test_control_errors_name_the_keys() -> None:
    net = DressedQuantumNet(2)
    net.use_control("equal_width_twin", seed=0)
    with pytest.raises(ConfigError, match="already replaced by DenseCore"):
        net.use_control("frozen_circuit")
    with pytest.raises(ConfigError, match="twin = true and model.control"):
        MODELS.select({"kind": "lorentznet", "quantum": ["phi_m"], "twin": True, "control": "frozen_circuit"},
                      default_name="lorentznet")
    with pytest.raises(ConfigError, match="quantum is empty"):
        MODELS.select({"kind": "lorentznet", "control": "product_standin"}, default_name="lorentznet")


@pytest.mark.parametrize("quantum", [["phi_m"], ["phi_e", "phi_m"]])
def test_trained_quantum_blocks_run_unchanged_on_aer(quantum: list[str]) -> None:
    """The same weights on Aer's estimator (exact expectation values, then 4,000 shots) give the engine's
    output: every edge of every jet goes through the Qiskit dressed circuits there."""
    pytest.importorskip("qiskit_aer")
    from qhep_contrast.execution import ExecutionConfig

    options = LorentzNetOptions(width=2, layers=2, quantum=quantum, init_scale=0.5)
    exact = build_lorentznet(options, image_shape=(1, 6, 13), seed=3).double().eval()
    jets = _jets()
    reference = _out(exact, jets)
    for shots, tol in ((None, 1e-5), (4000, 0.15)):
        aer = build_lorentznet(options, image_shape=(1, 6, 13), seed=11,
                               execution=ExecutionConfig(kind="aer", shots=shots, seed=5)).double().eval()
        aer.load_state_dict(exact.state_dict())
        values = _out(aer, jets)
        assert values.shape == reference.shape
        torch.testing.assert_close(values, reference, rtol=0, atol=tol)
    other = build_lorentznet(options, image_shape=(1, 6, 13), seed=11).double().eval()
    assert not torch.allclose(reference, _out(other, jets), rtol=0, atol=1e-3)  # the loaded weights matter

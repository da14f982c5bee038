"""The vision transformer of Unlu et al. (2024) and its classical twin: counts, references, every variant."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch
from qiskit.quantum_info import Statevector

from qhep_contrast.circuits import product_standin, qvit_query_key, qvit_value
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.models import circuit_weights, count_parameters
from qhep_contrast.models.registry import MODELS
from qhep_contrast.models.siamese import SiameseEncoder
from qhep_contrast.models.vit import READOUTS
from qhep_contrast.models.vit_attention import (
    LOADERS,
    SIMULATIONS,
    ClassicalAttention,
    QuantumAttention,
    _distance_scores,
)
from qhep_contrast.models.vit_factored import FactoredHead, feature_product, token_features
from qhep_contrast.models.vit_tokens import POSITIONAL, PatchEmbedding, constant_code, sinusoidal_code
from qhep_contrast.objectives.supervised import model_logits


def _model(image_shape: tuple[int, int, int] = (1, 32, 32), **options: object) -> SiameseEncoder:
    selection = MODELS.select({"kind": "qvit", **options}, default_name="qvit")
    return MODELS.build(selection, image_shape=image_shape, circuit=None, execution=None, seed=3)


@pytest.mark.parametrize("twin, readout, expected", [
    (True, "max", 4785), (True, "mean", 4785), (True, "cls", 4801),
    (False, "max", 4585), (False, "mean", 4585), (False, "cls", 4601),
])
def test_parameter_counts_match_the_paper(twin: bool, readout: str, expected: int) -> None:
    model = _model(twin=twin, readout=readout, positional="constant")
    assert count_parameters(model) == expected
    assert count_parameters(model.encoder.tokens.embed) == 528
    assert count_parameters(model.projection) == 577
    layer = model.encoder.layers[0]
    assert count_parameters(layer.ffn) == 544
    assert count_parameters(layer.attention) == (192 if twin else 152)


@pytest.mark.parametrize("twin", [False, True])
def test_circuit_weights_are_the_attention_circuits(twin: bool) -> None:
    model = _model(twin=twin, layers=2)
    weights = circuit_weights(model)
    expected = [] if twin else [p for layer in model.encoder.layers for p in (layer.attention.query_key,
                                                                             layer.attention.value)]
    assert [id(w) for w in weights] == [id(w) for w in expected]
    assert sum(w.numel() for w in weights) == (0 if twin else 2 * 152)  # 152 attention weights a layer (paper)


def _expectations(qc, token: np.ndarray, weights: np.ndarray, qubits: list[int]) -> np.ndarray:
    """<Z_q> of the loader + head circuit for one token, from a bound Qiskit circuit and Statevector."""
    spec_inputs, spec_weights, circuit = qc
    bound = circuit.assign_parameters({**dict(zip(spec_inputs, token)), **dict(zip(spec_weights, weights))})
    probs = Statevector(bound).probabilities()
    index = np.arange(probs.size)
    return np.array([np.sum(probs * (1 - 2 * ((index >> q) & 1))) for q in qubits])


def _reference_head(att: QuantumAttention, x: np.ndarray, head: int) -> np.ndarray:
    """One head of :class:`QuantumAttention` token by token with Qiskit Statevector, ``(T, d_h)``."""
    d = att.head_width
    qk = (att.query_key_spec.inputs, att.query_key_spec.weights, att.query_key_spec.circuit)
    val = (att.value_spec.inputs, att.value_spec.weights, att.value_spec.circuit)
    slices = x[:, head * d:(head + 1) * d]
    wq, wk = att.query_key[0, head].detach().double().numpy(), att.query_key[1, head].detach().double().numpy()
    wv = att.value[head].detach().double().numpy()
    q = np.array([_expectations(qk, s, wq, [0])[0] for s in slices])
    k = np.array([_expectations(qk, s, wk, [0])[0] for s in slices])
    v = np.array([_expectations(val, s, wv, list(range(d))) for s in slices])
    out = np.zeros_like(v)
    for i in range(len(slices)):
        scores = np.array([-(q[i] - k[j]) ** 2 for j in range(len(slices))]) / math.sqrt(d)
        weights = np.exp(scores - scores.max())
        out[i] = (weights / weights.sum()) @ v
    return out


@pytest.mark.parametrize("simulation", SIMULATIONS)
@pytest.mark.parametrize("loader", LOADERS)
def test_quantum_head_equals_a_statevector_loop_reference(loader: str, simulation: str) -> None:
    att = QuantumAttention(8, 2, loader=loader, simulation=simulation, seed=5)
    x = torch.randn(2, 5, 8, generator=torch.Generator().manual_seed(1))
    out = att(x).detach().numpy()  # float32 inputs: the engine runs in complex64
    assert out.dtype == np.float32
    for b in range(2):
        for h in range(2):
            ref = _reference_head(att, x[b].double().numpy(), h)
            np.testing.assert_allclose(out[b, :, 4 * h:4 * h + 4], ref, atol=1e-5, rtol=0)
            if loader != "h_rx":  # the tokens attend differently: a test that can fail
                assert np.ptp(ref[:, 0]) > 1e-4


def test_published_loader_makes_the_attention_token_independent() -> None:
    """H then RX(x) leaves |+> up to a phase: Q, K, V are the same for every token, unlike with RX on |0>."""
    x = torch.randn(3, 7, 8, generator=torch.Generator().manual_seed(2))
    for loader, constant in (("h_rx", True), ("rx", False), ("h_ry", False)):
        with torch.no_grad():
            q, k, v = QuantumAttention(8, 2, loader=loader, seed=1).circuit_outputs(x)
        spread = max(float(t.amax(dim=(1, 2)).sub(t.amin(dim=(1, 2))).max()) for t in (q, k, v))
        assert (spread < 1e-6) == constant, (loader, spread)


@pytest.mark.parametrize("loader", LOADERS)
def test_factored_simulation_equals_the_engine_values_and_gradients(loader: str) -> None:
    """Bloch vectors and Pauli tails give the per-token engine results (float64: to rounding)."""
    engine = QuantumAttention(8, 2, loader=loader, seed=3).double()
    factored = QuantumAttention(8, 2, loader=loader, simulation="factored", seed=3).double()
    x = torch.randn(3, 5, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(8))
    outs = []
    for att in (engine, factored):
        out = att(x)
        out.sin().sum().backward()
        outs.append(out.detach())
    torch.testing.assert_close(outs[1], outs[0], rtol=0, atol=1e-12)
    for name in ("query_key", "value"):
        torch.testing.assert_close(getattr(factored, name).grad, getattr(engine, name).grad, rtol=0, atol=1e-12)


def test_classical_attention_equals_an_explicit_loop() -> None:
    att = ClassicalAttention(8, 2)
    x = torch.randn(3, 4, 8, dtype=torch.float64)
    att.double()
    out = att(x)
    w = att.weight.detach()
    for b in range(3):
        for h in range(2):
            s = x[b, :, 4 * h:4 * h + 4]
            q, k, v = s @ w[0, h], s @ w[1, h], s @ w[2, h]
            ref = torch.zeros(4, 4, dtype=torch.float64)
            for i in range(4):
                scores = torch.stack([q[i] @ k[j] for j in range(4)]) / 2.0
                ref[i] = sum(a * v[j] for j, a in enumerate(torch.softmax(scores, dim=0)))
            torch.testing.assert_close(out[b, :, 4 * h:4 * h + 4], ref)


@pytest.mark.parametrize("simulation", SIMULATIONS)
def test_head_gradients_agree_with_parameter_shift(simulation: str) -> None:
    """d L / d w by autograd equals sum_i dL/dE_i * (E_i(w + pi/2 e_k) - E_i(w - pi/2 e_k)) / 2, with the
    circuit expectations E = (Q, K, V) shifted one weight at a time (every weight sits in one RX/RY gate)."""
    att = QuantumAttention(4, 1, loader="rx", simulation=simulation, seed=2).double()
    x = torch.randn(3, 4, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    target = torch.randn(3, 4, 4, dtype=torch.float64, generator=torch.Generator().manual_seed(6))
    loss = (att(x) * target).sum()
    loss.backward()
    q, k, v = (t.detach().requires_grad_() for t in att.circuit_outputs(x))
    scores = -(q.unsqueeze(-1) - k.unsqueeze(-2)).square()
    head = torch.softmax(scores / 2.0, dim=-1) @ v
    grads = torch.autograd.grad((head[0] * target).sum(), (q, k, v))
    for name in ("query_key", "value"):
        param = getattr(att, name)
        flat = param.detach().reshape(-1).clone()
        shifted = []
        for idx in range(flat.numel()):
            parts = []
            for sign in (1.0, -1.0):
                w = flat.clone()
                w[idx] += sign * math.pi / 2
                with torch.no_grad():
                    getattr(att, name).copy_(w.view_as(param))
                    parts.append(att.circuit_outputs(x))
            with torch.no_grad():
                getattr(att, name).copy_(flat.view_as(param))
            shift = sum(((p - m) / 2 * g).sum() for p, m, g in zip(*parts, grads))
            shifted.append(float(shift))
        np.testing.assert_allclose(param.grad.reshape(-1).numpy(), shifted, atol=1e-9)


@pytest.mark.parametrize("twin", ["engine", "factored", True])
@pytest.mark.parametrize("readout", READOUTS)
@pytest.mark.parametrize("positional", POSITIONAL)
def test_every_readout_and_embedding_trains_one_step(twin: bool | str, readout: str, positional: str) -> None:
    simulation = "factored" if twin is True else twin
    model = _model((1, 8, 16), twin=twin is True, readout=readout, positional=positional, layers=2,
                   simulation=simulation)
    images = torch.rand(6, 1, 8, 16, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([0, 1, 0, 1, 1, 0], dtype=torch.float32)
    before = [p.detach().clone() for p in model.parameters()]
    optimizer = torch.optim.Adam(model.parameters(), lr=5e-3)
    loss = torch.nn.functional.binary_cross_entropy_with_logits(model_logits(model, images), labels)
    loss.backward()
    optimizer.step()
    assert math.isfinite(float(loss.detach()))
    changed = [not torch.equal(a, b) for a, b in zip(before, model.parameters())]
    assert all(changed), "every trainable parameter (circuit weights and class token included) moves"


def test_residual_hybrid_layer_trains_one_step() -> None:
    model = _model((1, 8, 16), readout="cls", hybrid_layer="residual", layers=2)
    loss = model_logits(model, torch.rand(4, 1, 8, 16)).square().sum()
    loss.backward()
    assert all(p.grad is not None and bool(p.grad.abs().sum() > 0) for p in model.parameters())


def test_contrastive_encoder_returns_pooled_tokens_and_projections() -> None:
    model = _model((1, 8, 16), head="projection", projection_dim=5, layers=1)
    views = torch.rand(2, 3, 1, 8, 16)
    z1, z2 = model(views[0], views[1])
    assert z1.shape == z2.shape == (3, 5)
    assert model.embed(views[0]).shape == (3, 16)


def test_positional_codes() -> None:
    code = constant_code(6, 32)
    expected = [math.cos(0.0), math.sin(1.0), math.cos(2 / 10000 ** (1 / 32)), math.sin(1 / 10000 ** (2 / 32)),
                math.cos(4 / 10000 ** (3 / 32)), math.sin(1 / 10000 ** (4 / 32))]
    np.testing.assert_allclose(code.numpy(), expected, rtol=1e-6)
    pe = sinusoidal_code(5, 4)
    assert float(pe[3, 0]) == pytest.approx(math.sin(3.0)) and float(pe[3, 1]) == pytest.approx(math.cos(3.0))
    assert float(pe[2, 2]) == pytest.approx(math.sin(2 / 100.0)) and float(pe[2, 3]) == pytest.approx(math.cos(0.02))
    embedding = PatchEmbedding((1, 8, 8), (4, 4), 4, positional="sinusoidal")
    with torch.no_grad():
        embedding.embed.weight.zero_()
        embedding.embed.bias.zero_()
    torch.testing.assert_close(embedding(torch.rand(2, 1, 8, 8))[1], sinusoidal_code(4, 4))
    assert not any(p is embedding.code for p in embedding.parameters())


def test_patches_are_row_major_blocks() -> None:
    embedding = PatchEmbedding((1, 4, 8), (2, 4), 3)
    image = torch.arange(32.0).view(1, 1, 4, 8)
    patches = embedding.patches(image)
    assert patches.shape == (1, 4, 8)
    torch.testing.assert_close(patches[0, 1], torch.tensor([4.0, 5, 6, 7, 12, 13, 14, 15]))


def test_bad_input_gives_config_errors() -> None:
    with pytest.raises(ConfigError, match=r"model\.patch = \[4, 8\].*30x32"):
        _model((1, 30, 32))
    with pytest.raises(ConfigError, match=r"model\.token_width = 16 is not divisible by model\.heads = 3"):
        MODELS.select({"kind": "qvit", "heads": 3}, default_name="qvit")
    with pytest.raises(ConfigError, match=r"model\.readout.*'first'"):
        MODELS.select({"kind": "qvit", "readout": "first"}, default_name="qvit")
    with pytest.raises(ConfigError, match=r"model\.patch"):
        MODELS.select({"kind": "qvit", "patch": [4]}, default_name="qvit")


@pytest.mark.parametrize("loader", LOADERS)
def test_product_standin_equals_the_statevector_of_the_unentangled_circuit(loader: str) -> None:
    """The stand-in's Q, K, V equal Qiskit Statevector of the head circuits with entanglers and trainable gates
    removed (:func:`product_standin`), token by token."""
    att = QuantumAttention(8, 2, loader=loader, control="product_standin")
    assert att.circuit_parameters() == [] and count_parameters(att) == 0
    x = torch.randn(2, 5, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(4))
    q, k, v = att.circuit_outputs(x)
    qk_spec, v_spec = (product_standin(s) for s in (att.query_key_spec, att.value_spec))
    assert qk_spec.num_weights == v_spec.num_weights == 0
    qk = (qk_spec.inputs, (), qk_spec.circuit)
    val = (v_spec.inputs, (), v_spec.circuit)
    for b in range(2):
        for h in range(2):
            for t in range(5):
                token = x[b, t, 4 * h:4 * h + 4].numpy()
                ref_q = _expectations(qk, token, np.zeros(0), [0])[0]
                assert float(q[h, b, t]) == pytest.approx(ref_q, abs=1e-12)
                assert float(k[h, b, t]) == pytest.approx(ref_q, abs=1e-12)
                np.testing.assert_allclose(v[h, b, t].numpy(), _expectations(val, token, np.zeros(0), list(range(4))),
                                           atol=1e-12)
    if loader == "rx":  # <Z_j> = cos(x_j): the stand-in sees the tokens
        torch.testing.assert_close(v, x.reshape(2, 5, 2, 4).permute(2, 0, 1, 3).cos())


def test_controls_of_the_attention_circuits() -> None:
    """frozen_circuit: circuits keep their initial weights while the rest trains; product_standin: no circuit
    weights; both have the hybrid's classical weights (same seed)."""
    hybrid = _model((1, 8, 16), layers=2)
    frozen = _model((1, 8, 16), layers=2, control="frozen_circuit")
    standin = _model((1, 8, 16), layers=2, control="product_standin")
    circuit = 2 * 152
    assert count_parameters(frozen) == count_parameters(standin) == count_parameters(hybrid) - circuit
    assert circuit_weights(frozen) == [] and circuit_weights(standin) == []
    torch.testing.assert_close(frozen.encoder.layers[1].attention.value, hybrid.encoder.layers[1].attention.value)
    torch.testing.assert_close(standin.encoder.tokens.embed.weight, hybrid.encoder.tokens.embed.weight)
    images = torch.rand(6, 1, 8, 16, generator=torch.Generator().manual_seed(0))
    labels = torch.tensor([0, 1, 0, 1, 1, 0], dtype=torch.float32)
    for model in (frozen, standin):
        before = {n: p.detach().clone() for n, p in model.named_parameters()}
        optimizer = torch.optim.Adam([p for p in model.parameters() if p.requires_grad], lr=5e-3)
        torch.nn.functional.binary_cross_entropy_with_logits(model_logits(model, images), labels).backward()
        optimizer.step()
        for name, p in model.named_parameters():
            assert torch.equal(before[name], p) == (not p.requires_grad), name
    with pytest.raises(ConfigError, match=r"model\.twin = true and model\.control = 'frozen_circuit'"):
        MODELS.select({"kind": "qvit", "twin": True, "control": "frozen_circuit"}, default_name="qvit")


@pytest.mark.parametrize("loader", LOADERS)
def test_factored_head_is_linear_in_the_token_features(loader: str) -> None:
    """FactoredHead alone (features times per-group weights) equals the engine's per-token values, and its
    features are the outer product of (1, sin x_j, cos x_j)."""
    att = QuantumAttention(8, 2, loader=loader, simulation="engine", seed=6).double()
    x = torch.randn(2, 3, 8, dtype=torch.float64, generator=torch.Generator().manual_seed(9))
    with torch.no_grad():
        q, k, v = att.circuit_outputs(x)
        xh = x.reshape(6, 2, 4).permute(1, 0, 2)  # (n_h, B T, d_h)
        values = FactoredHead(att.value_spec, qvit_value(4), loader, [0, 1, 2, 3])(xh, att.value)
        keys = FactoredHead(att.query_key_spec, qvit_query_key(4), loader, [0])(xh, att.query_key[1])
    torch.testing.assert_close(values, v.reshape(2, 6, 4), rtol=0, atol=1e-12)
    torch.testing.assert_close(keys[..., 0], k.reshape(2, 6), rtol=0, atol=1e-12)
    features = token_features(torch.tensor([0.3, -1.2]))
    u0, u1 = (torch.tensor([1.0, math.sin(a), math.cos(a)]) for a in (0.3, -1.2))
    torch.testing.assert_close(features, torch.outer(u0, u1).flatten())


@pytest.mark.parametrize("d", [1, 2, 4])
def test_feature_product_equals_the_features_times_weights_with_its_own_backward(d: int) -> None:
    """feature_product (hand-written backward) equals bmm(token_features(x), w) and its gradients agree with
    finite differences (gradcheck, float64) and with autograd through the outer products."""
    gen = torch.Generator().manual_seed(d)
    x = torch.randn(3, 5, d, dtype=torch.float64, generator=gen, requires_grad=True)
    w = torch.randn(3, 3**d, 2, dtype=torch.float64, generator=gen, requires_grad=True)
    assert torch.autograd.gradcheck(feature_product, (x, w))
    out = feature_product(x, w)
    reference = torch.bmm(token_features(x), w)
    torch.testing.assert_close(out, reference, rtol=0, atol=1e-12)
    grad = torch.randn(out.shape, dtype=torch.float64, generator=gen)
    mine = torch.autograd.grad(out, (x, w), grad)
    theirs = torch.autograd.grad(reference, (x, w), grad)
    for a, b in zip(mine, theirs):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)
    strided = torch.randn(out.shape[-1], *out.shape[:-1], dtype=torch.float64, generator=gen).permute(1, 2, 0)
    for a, b in zip(torch.autograd.grad(feature_product(x, w), (x, w), strided),
                    torch.autograd.grad(torch.bmm(token_features(x), w), (x, w), strided)):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)


def test_distance_scores_give_the_attention_weights_of_minus_the_squared_difference() -> None:
    """softmax(_distance_scores(Q, K, s)) equals softmax(-s (Q_i - K_j)^2) over j, and so do its gradients."""
    gen = torch.Generator().manual_seed(11)
    q = torch.randn(3, 4, 6, dtype=torch.float64, generator=gen, requires_grad=True)
    k = torch.randn(3, 4, 6, dtype=torch.float64, generator=gen, requires_grad=True)
    mine = torch.softmax(_distance_scores(q, k, 0.5), dim=-1)
    reference = torch.softmax(-0.5 * (q[..., :, None] - k[..., None, :]) ** 2, dim=-1)
    torch.testing.assert_close(mine, reference, rtol=0, atol=1e-12)
    grad = torch.randn(mine.shape, dtype=torch.float64, generator=gen)
    for a, b in zip(torch.autograd.grad(mine, (q, k), grad), torch.autograd.grad(reference, (q, k), grad)):
        torch.testing.assert_close(a, b, rtol=0, atol=1e-12)

"""Epoch-seeded data, early stopping, objectives and optimizer groups."""

from __future__ import annotations

import math

import numpy as np
import pytest
import torch

from qhep_contrast.data import DigitsDataset
from qhep_contrast.experiment.builders import build_model, build_objective, build_optimizer, build_scheduler
from qhep_contrast.experiment.config import load_config
from qhep_contrast.models import circuit_weights
from qhep_contrast.training.early_stopping import EarlyStopping
from qhep_contrast.training.epoch_data import EpochPairDataset, EpochSampler, EpochTripletDataset, epoch_seed
from tests.training.conftest import CONFIG_DIR


def test_epoch_sampler_is_a_function_of_seed_and_epoch():
    a, b = EpochSampler(50, seed=3), EpochSampler(50, seed=3)
    a.set_epoch(4)
    b.set_epoch(4)
    order = list(a)
    assert order == list(b) and sorted(order) == list(range(50))
    b.set_epoch(5)
    assert list(b) != order
    assert list(EpochSampler(5, 0, shuffle=False)) == [0, 1, 2, 3, 4]
    assert epoch_seed(1, 2) == epoch_seed(1, 2) != epoch_seed(1, 3) != epoch_seed(1, 2, stream=1)


@pytest.mark.parametrize("cls", [EpochPairDataset, EpochTripletDataset])
def test_pairs_and_triplets_redrawn_per_epoch_reproducibly(cls):
    base = DigitsDataset((0, 1))
    first, again = cls(base, 20, None, seed=1), cls(base, 20, None, seed=1)
    for ds in (first, again):
        ds.set_epoch(3)
    assert all(torch.equal(x, y) for x, y in zip(first[7], again[7]))
    again.set_epoch(4)
    assert not all(torch.equal(x, y) for x, y in zip(first[7], again[7]))
    assert len(first) == 20


def test_early_stopping_patience_and_state():
    stop = EarlyStopping(patience=2, min_delta=0.1)
    assert stop.update(1.0, 1) and not stop.should_stop
    assert not stop.update(0.95, 2)  # not better by more than min_delta
    state = stop.state_dict()
    assert not stop.update(0.99, 3) and stop.should_stop
    restored = EarlyStopping(2, 0.1)
    restored.load_state_dict(state)
    assert (restored.best, restored.best_epoch, restored.bad_epochs) == (1.0, 1, 1)
    never = EarlyStopping(0)
    for epoch in range(1, 6):
        never.update(1.0, epoch)
    assert not never.should_stop and never.best_epoch == 1
    assert EarlyStopping().best == math.inf


def test_quantum_learning_rate_group_and_schedules(tiny):
    config = load_config(CONFIG_DIR / "simclr_jets.toml", tiny)
    model = build_model(config, (3, 16, 16))
    opt = build_optimizer(model, config.optimizer)
    quantum = {id(p) for p in circuit_weights(model)}
    assert len(quantum) == 1 and len(opt.param_groups) == 2
    assert {id(p) for p in opt.param_groups[1]["params"]} == quantum
    assert opt.param_groups[1]["lr"] == config.optimizer.quantum_lr and opt.param_groups[1]["weight_decay"] == 0
    sched = build_scheduler(opt, config.scheduler, epochs=4)
    lrs = []
    for _ in range(4):
        lrs.append(opt.param_groups[0]["lr"])
        opt.step()  # no gradients: a no-op, in the order the fit loop uses
        sched.step()
    expected = [config.optimizer.lr * (1 + math.cos(math.pi * e / 4)) / 2 for e in range(4)]
    assert np.allclose(lrs, expected)


def test_fidelity_model_gives_circuit_weights_gradients(tiny):
    config = load_config(CONFIG_DIR / "fidelity_infonce_jets.toml", tiny)
    model = build_model(config, (3, 16, 16))
    images = torch.rand(6, 3, 16, 16, generator=torch.Generator().manual_seed(0))
    batch = (images, images.flip(-1), torch.zeros(6))
    loss, n = build_objective(config)(model, batch, torch.device("cpu"))
    loss.backward()
    (weights,) = circuit_weights(model)
    assert n == 6 and weights.grad is not None and weights.grad.abs().max() > 1e-6

"""Every registry: each entry builds its own object and runs one training step on tiny data; unknown names fail.

One configuration per entry is assembled through :func:`qhep_contrast.experiment.config.config_from_dict`
(the same path a TOML file takes) and trained for one optimizer step, so an entry that registers but cannot
run is caught here.
"""

from __future__ import annotations

import gzip
import math
from pathlib import Path
from typing import Any

import h5py
import numpy as np
import pytest
import torch
from torch import nn

from qhep_contrast.circuits.selectable import ANSATZE, ENCODERS
from qhep_contrast.data.augmentations import VIEWS
from qhep_contrast.data.sources import DATASETS
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.execution import ExecutionConfig
from qhep_contrast.execution.registry import EXECUTORS
from qhep_contrast.experiment.builders import (
    build_circuit,
    build_data,
    build_model,
    build_objective,
    build_optimizer,
    build_scheduler,
    make_augment,
)
from qhep_contrast.experiment.catalog import REGISTRIES
from qhep_contrast.experiment.config import config_from_dict
from qhep_contrast.losses import LOSSES
from qhep_contrast.models import MODELS, SiameseEncoder
from qhep_contrast.models.anomaly_base import AnomalyModel
from qhep_contrast.objectives import OBJECTIVES, Objective
from qhep_contrast.optim import OPTIMIZERS, SCHEDULERS
from qhep_contrast.registry import Entry, NoOptions, Registry

_TINY: dict[str, Any] = {
    "data": {"dataset": "digits", "classes": [0, 1], "limit": 40, "batch_size": 8, "eval_batch_size": 40,
             "normalize": "none"},
    "views": {"kind": "digit"},
    "circuit": {"num_qubits": 3, "ansatz": {"name": "hardware_efficient", "num_layers": 1}},
    "model": {"kind": "hybrid_cnn", "conv_channels": [2], "dense_units": 4, "projection_dim": 0},
    "train": {"epochs": 1, "progress": False, "evaluate": False},
}


def _tree(**tables: dict[str, Any]) -> dict[str, Any]:
    tree = {k: dict(v) for k, v in _TINY.items()}
    for key, table in tables.items():
        same_kind = key != "model" or table.get("kind", tree[key]["kind"]) == tree[key]["kind"]
        tree[key] = {**tree.get(key, {}), **table} if same_kind else dict(table)  # another kind: its own keys
    if tree["model"]["kind"] == "qssl_classifier":
        tree.setdefault("loss", {"name": "memory_bank_kl"})
    return tree


def _one_step(tree: dict[str, Any]) -> float:
    """Assemble the run of ``tree`` and take one optimizer step; return the loss."""
    config = config_from_dict(tree)
    objective = build_objective(config)
    data = build_data(config, objective)
    model = build_model(config, data.image_shape, EXECUTORS.build(config.execution))
    optimizer = build_optimizer(model, config.optimizer)
    scheduler = build_scheduler(optimizer, config.scheduler, config.train.epochs)
    batch = next(iter(torch.utils.data.DataLoader(data.train_set, batch_size=8)))
    loss, n = objective(model, batch, torch.device("cpu"))
    loss.backward()
    optimizer.step()
    scheduler.step()
    value = float(loss.detach())
    assert n == 8 and math.isfinite(value)
    return value


_PROBABILITY_LOSSES = ("memory_bank_kl",)
"""Losses of probability vectors: trained here on the ``qssl_classifier`` model kind."""


_ANOMALY_DATA: dict[str, Any] = {"dataset": "quark_gluon", "paths": ["shipped"], "channels": ["ECAL"], "image_size": 12,
                                  "normalize": "image", "limit": 40, "batch_size": 8, "eval_batch_size": 40}
"""One-channel 12x12 jets for the anomaly models (``sqae``, ``hybrid_ae``, ``conv_ae``)."""


def _anomaly_tree(model: str) -> dict[str, Any]:
    """A one-class anomaly run of model kind ``model`` on 12x12 jets."""
    tree = _tree(views={"kind": "none"}, model={"kind": model}, loss={"name": "anomaly_score"},
                 objective={"name": "anomaly"})
    return {**tree, "data": dict(_ANOMALY_DATA)}


def _is_anomaly_model(name: str) -> bool:
    return getattr(MODELS.get(name).factory, "__module__", "").split(".")[-1] in ("sqae", "conv_ae", "hybrid_ae")


def _states_model(loss: str) -> dict[str, Any]:
    if loss in _PROBABILITY_LOSSES:
        return {"kind": "qssl_classifier"}
    if "anomaly" in LOSSES.traits(loss).objectives:
        return {"kind": "conv_ae"}
    if LOSSES.traits(loss).objectives == ("supervised",):  # one logit per sample
        return {"kind": "qvit", "patch": [4, 4], "layers": 1}
    if LOSSES.traits(loss).inputs != "states":
        return {}
    return {"output": "state", "head_units": [], "projection_dim": 0}


def _states_circuit(loss: str) -> dict[str, Any]:
    if LOSSES.traits(loss).inputs != "states":
        return {}
    return {"encoder": {"name": "reuploading_encoder", "num_layers": 2, "trainable_rotations": ["ry"]},
            "ansatz": {"name": "none"}}


@pytest.mark.parametrize("name", LOSSES.names())
def test_every_loss_builds_and_trains_one_step(name: str) -> None:
    entry = LOSSES.get(name)
    module = entry.factory(entry.options())
    assert isinstance(module, nn.Module)
    _one_step(_tree(loss={"name": name}, model=_states_model(name), circuit=_states_circuit(name)))


@pytest.mark.parametrize("name", OBJECTIVES.names())
def test_every_objective_builds_and_trains_one_step(name: str) -> None:
    loss = next(e.name for e in LOSSES.entries() if name in e.traits.objectives)
    objective = OBJECTIVES.get(name).factory(OBJECTIVES.get(name).options(), nn.Identity())
    assert isinstance(objective, Objective)
    _one_step(_tree(loss={"name": loss}, objective={"name": name}, model=_states_model(loss),
                    circuit=_states_circuit(loss)))


def _egamma_files(folder: Path) -> list[str]:
    rng = np.random.default_rng(0)
    paths = []
    for label in (0.0, 1.0):
        path = folder / f"egamma_{int(label)}.h5"
        with h5py.File(path, "w") as f:
            f.create_dataset("X", data=rng.exponential(1.0, (20, 32, 32, 2)).astype(np.float32))
            f.create_dataset("y", data=np.full(20, label, np.float32))
        paths.append(str(path))
    return paths


def _mnist_folder(folder: Path) -> str:
    rng = np.random.default_rng(0)
    images, labels = rng.integers(0, 256, (40, 8, 8), dtype=np.uint8), np.arange(40, dtype=np.uint8) % 2
    for name, array, ndim_type in (("train-images-idx3-ubyte.gz", images, 3), ("train-labels-idx1-ubyte.gz", labels, 1)):
        header = bytes([0, 0, 0x08, ndim_type]) + np.asarray(array.shape, dtype=">u4").tobytes()
        (folder / name).write_bytes(gzip.compress(header + array.tobytes()))
    return str(folder)


def _dataset_table(name: str, tmp_path: Path) -> dict[str, Any]:
    base = {"limit": 40, "batch_size": 8, "eval_batch_size": 40}
    tables = {
        "digits": {"classes": [0, 1]},
        "quark_gluon": {"paths": ["shipped"], "image_size": 8},
        "egamma": {"paths": _egamma_files(tmp_path), "channels": ["energy"], "image_size": 8, "log_scale": 1.0},
        "egamma_toy": {"toy_samples": 48, "channels": ["energy"], "image_size": 8},
        "mnist": {"paths": [_mnist_folder(tmp_path)]},
        "particle_jets": {"paths": ["shipped"], "max_particles": 8},
    }
    return {"dataset": name, **base, **tables[name]}


_PARTICLE_MODEL: dict[str, Any] = {"kind": "lorentznet", "width": 2, "layers": 2, "head": "projection"}
"""A small particle-jet model for the particle dataset, views and model kind."""


@pytest.mark.parametrize("name", DATASETS.names())
def test_every_dataset_builds_and_trains_one_step(name: str, tmp_path: Path) -> None:
    table = _dataset_table(name, tmp_path)
    views = {"kind": "jet"} if name in ("quark_gluon", "egamma", "egamma_toy") else {"kind": "digit"}
    model = {}
    if name == "particle_jets":
        views, model = {"kind": "particle"}, _PARTICLE_MODEL
    tree = {**_tree(views=views, model=model), "data": table}
    assert type(config_from_dict(tree).data.options) is DATASETS.get(name).options
    _one_step(tree)


@pytest.mark.parametrize("name", VIEWS.names())
def test_every_view_kind_builds_and_trains_one_step(name: str, tmp_path: Path) -> None:
    config = config_from_dict(_tree(views={"kind": name}, loss={"name": "triplet"}))
    augment = make_augment(config.views)
    assert (augment is None) == (name == "none")
    tree = _tree(views={"kind": name}, loss={"name": "triplet"})
    if name == "particle":
        tree = {**_tree(views={"kind": name}, loss={"name": "triplet"}, model=_PARTICLE_MODEL),
                "data": _dataset_table("particle_jets", tmp_path)}
    _one_step(tree)


@pytest.mark.parametrize("registry, name", [(ENCODERS, n) for n in ENCODERS.names()]
                         + [(ANSATZE, n) for n in ANSATZE.names()])
def test_every_circuit_builds_and_trains_one_step(registry: Registry, name: str) -> None:
    key = "encoder" if registry is ENCODERS else "ansatz"
    table = {key: {"name": name}}
    spec = build_circuit(config_from_dict(_tree(circuit=table)).circuit)
    assert spec.num_qubits == 3
    _one_step(_tree(circuit=table))


@pytest.mark.parametrize("twin", [False, True])
@pytest.mark.parametrize("name", [n for n in MODELS.names() if not _is_anomaly_model(n)])
def test_every_model_builds_and_trains_one_step(name: str, twin: bool, tmp_path: Path) -> None:
    tree = _tree(model={"kind": name, "twin": twin})
    if name == "lorentznet":
        quantum = {} if twin else {"quantum": ["phi_e"]}
        tree = {**_tree(model={**_PARTICLE_MODEL, "twin": twin, **quantum}, views={"kind": "particle"}),
                "data": _dataset_table("particle_jets", tmp_path)}
    config = config_from_dict(tree)
    assert isinstance(build_model(config, (1, 8, 13) if name == "lorentznet" else (1, 8, 8)), SiameseEncoder)
    _one_step(tree)


@pytest.mark.parametrize("name", [n for n in MODELS.names() if _is_anomaly_model(n)])
def test_every_anomaly_model_builds_and_trains_one_step(name: str) -> None:
    config = config_from_dict(_anomaly_tree(name))
    model = build_model(config, (1, 12, 12))
    assert isinstance(model, AnomalyModel)
    assert model(torch.rand(3, 1, 12, 12)).shape == (3,)
    _one_step(_anomaly_tree(name))


@pytest.mark.parametrize("registry, name", [(OPTIMIZERS, n) for n in OPTIMIZERS.names()]
                         + [(SCHEDULERS, n) for n in SCHEDULERS.names()])
def test_every_optimizer_and_schedule_trains_one_step(registry: Registry, name: str) -> None:
    key = "optimizer" if registry is OPTIMIZERS else "scheduler"
    before = _one_step(_tree(**{key: {"name": name}}))
    assert math.isfinite(before)


@pytest.mark.parametrize("name", EXECUTORS.names())
def test_every_executor_builds_and_runs_one_step(name: str) -> None:
    extra = {"aer": {}, "ibm": {"backend": "fake_manila", "shots": 4000, "seed": 1}}.get(name, {})
    config = config_from_dict(_tree(execution={"kind": name, **extra}))
    execution = EXECUTORS.build(config.execution)
    assert execution is None if name == "exact" else isinstance(execution, ExecutionConfig)
    assert EXECUTORS.traits(name).trains
    _one_step(_tree(execution={"kind": name, **extra}))


@pytest.mark.parametrize("listing", list(REGISTRIES))
def test_unknown_name_raises_config_error_with_suggestion(listing: str) -> None:
    registry = REGISTRIES[listing]
    first = registry.names()[0]
    with pytest.raises(ConfigError) as info:
        registry.get(first + "x")
    message = str(info.value)
    assert f"Did you mean {first!r}?" in message and "Registered:" in message
    with pytest.raises(ConfigError, match=f"is not a registered {registry.kind}"):
        registry.select({registry.tag: "no-such-entry"}, default_name=first)


def test_registry_refuses_duplicates_and_non_dataclass_options() -> None:
    registry = Registry("thing")
    registry.register("a")(lambda options: 1)
    with pytest.raises(ConfigError, match="registered twice"):
        registry.register("a")(lambda options: 2)
    with pytest.raises(ConfigError, match="must be a dataclass"):
        registry.add(Entry("b", lambda options: 3, options=dict))
    assert registry.names() == ("a",) and registry.get("a").options is NoOptions

"""Configuration loading, overrides and validation messages."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest

from qhep_contrast._toml import dumps
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.experiment.builders import build_circuit
from qhep_contrast.experiment.config import (
    RunConfig,
    apply_overrides,
    config_from_dict,
    config_to_dict,
    load_config,
    read_config_tree,
)
from qhep_contrast.options import did_you_mean
from tests.training.conftest import CONFIG_DIR

REQUIRED = ("siamese_digits", "simclr_jets", "fidelity_infonce_jets", "combined_fidelity_egamma")


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "c.toml"
    path.write_text(text)
    return path


@pytest.mark.parametrize("name", REQUIRED)
def test_shipped_configs_and_twins_load(name):
    config = load_config(CONFIG_DIR / f"{name}.toml")
    twin = load_config(CONFIG_DIR / f"{name}_twin.toml")
    assert config.experiment == name and not config.model.twin
    assert twin.experiment == f"{name}_twin" and twin.model.twin and not twin.compare.twin
    # the twin differs from its base only in the twin switch, the name and the comparison
    assert config_to_dict(twin) | {"experiment": name, "model": config_to_dict(config)["model"],
                                   "compare": config_to_dict(config)["compare"]} == config_to_dict(config)


def test_main_config_compares_with_twin():
    config = load_config(CONFIG_DIR / "simclr_jets.toml")
    assert config.compare.twin and config.loss.name == "nt_xent" and config.data.paths == ["shipped"]


@pytest.mark.parametrize("text, fragments", [
    ("trian = 3", ["unknown key 'trian'", "Did you mean 'train'?"]),
    ("[train]\nepoch = 3", ["unknown key 'train.epoch'", "Did you mean 'epochs'?"]),
    ("[los]\nname = 'nt_xent'", ["unknown key 'los'", "Did you mean 'loss'?"]),
    ("[train]\nepochs = '3'", ["train.epochs must be an integer", "'3' (str)"]),
    ("[train]\nepochs = 2.5", ["train.epochs must be an integer"]),
    ("[train]\nprogress = 1", ["train.progress must be true or false"]),
    ("[loss]\ntemperature = 0.0", ["loss.temperature must be in (0, inf)", "0.0"]),
    ("[loss]\ntemperature = -1", ["loss.temperature must be in (0, inf)"]),
    ("[loss]\nname = 'triplet'\nmargin = -0.5", ["loss.margin must be in [0, inf)"]),
    ("[loss]\nmargin = 1.0", ["unknown key 'loss.margin'", "Known keys there: temperature"]),
    ("[loss]\nname = 'combined_fidelity'\nalpha = 1.5", ["loss.alpha must be in [0, 1]"]),
    ("[circuit]\nnum_qubits = 21", ["circuit.num_qubits must be in [1, 20]", "exact engine"]),
    ("[loss]\nname = 'nt_xnet'", ["loss.name = 'nt_xnet' is not a registered loss", "Did you mean 'nt_xent'?",
                                   "Registered:", "qhep list"]),
    ("[model]\nkind = 'hybrid_cn'", ["model.kind = 'hybrid_cn' is not a registered model kind",
                                     "Did you mean 'hybrid_cnn'?"]),
    ("[circuit.ansatz]\nname = 'qcn'", ["circuit.ansatz.name = 'qcn'", "Did you mean 'qcnn'?"]),
    ("[circuit.ansatz]\nnum_layers = 100000", ["circuit.ansatz.num_layers must be in [1, 64]"]),
    ("[circuit]\nansatz_args = {}", ["unknown key 'circuit.ansatz_args'", "Known keys there: ansatz, encoder"]),
    ("[execution]\nkind = 'aer'\nshots = 0", ["execution", "shots"]),
    ("[execution]\nkind = 'exact'\nshots = 10", ["shots=10 applies to kind aer or ibm only"]),
    ("[execution]\nkind = 'exact'\nshotz = 10", ["unknown key 'execution.shotz'", "Keys of kind 'exact': (none)"]),
    ("[execution]\nkind = 'ibm'\nbackend = 'fake_torino'\nshots = 8\ntoken = 'x'", ["looks like a credential"]),
    ("[objective]\nname = 'pairs'", ["objective.name = 'pairs' does not feed loss 'nt_xent'"]),
    ("[optimizer]\nname = 'sgd'\nbetas = [0.9, 0.99]", ["unknown key 'optimizer.betas'", "momentum"]),
    ("experiment = '..'", ["experiment must be a folder name"]),
    ("[data]\nsplit = [0.5, 0.2, 0.2]", ["data.split must be three fractions", "summing to 1"]),
    ("[model]\nconv_channels = 16", ["model.conv_channels must be a list of int"]),
    ("[loss]\nname = 'fidelity_infonce'", ["needs model.output = \"state\""]),
    ("[model]\noutput = 'state'", ["statevectors", "nt_xent"]),
    ("[loss]\nname = 'contrastive_pair'\nmargin = 0.0", ["loss.margin must be in (0, inf)"]),
    ("[views]\nkind = 'none'", ["views.kind = \"none\""]),
    ("experiment = 'a b'", ["experiment must be a folder name"]),
    ("[data]\ndataset = 'egamma'\npaths = ['shipped']", ["names the shipped quark/gluon jet file"]),
    ("[data]\ndataset = 'digits'\npaths = ['x.h5']", ["unknown key 'data.paths'", "classes"]),
    ("[data]\ndataset = 'mnist'", ["data.paths must name one folder"]),
])
def test_validation_messages(tmp_path, text, fragments):
    with pytest.raises(ConfigError) as info:
        load_config(_write(tmp_path, text))
    for fragment in fragments:
        assert fragment in str(info.value)


def test_defaults_are_valid_and_round_trip_through_toml():
    config = load_config(CONFIG_DIR / "combined_fidelity_egamma.toml")
    text = dumps(config_to_dict(config))
    assert config_from_dict(tomllib.loads(text)) == config
    assert config_from_dict({}) == RunConfig()


def test_toml_writer_special_values():
    tree = {"a": float("inf"), "b": "quote \" and \\ and \n", "c": [1, 2.5, True], "t": {"x": {"y": -0.0}}}
    back = tomllib.loads(dumps(tree))
    assert back["a"] == float("inf") and back["b"] == tree["b"] and back["c"] == [1, 2.5, True]
    assert back["t"]["x"]["y"] == 0.0


def test_overrides_parse_toml_values_and_are_type_checked(tmp_path):
    path = _write(tmp_path, "[train]\nepochs = 3")
    config = load_config(path, ["train.epochs=7", "model.conv_channels=[4, 8]", "loss.name=triplet",
                                "optimizer.lr=1e-2", "circuit.ansatz.num_layers=1", "train.progress=false"])
    assert (config.train.epochs, config.model.conv_channels, config.loss.name) == (7, [4, 8], "triplet")
    assert config.objective.name == "triplets"  # the loss's own objective
    assert config.optimizer.lr == 0.01 and config.circuit.ansatz.num_layers == 1
    assert not config.train.progress
    with pytest.raises(ConfigError, match="train.epochs must be an integer"):
        load_config(path, ["train.epochs=many"])
    with pytest.raises(ConfigError, match="Did you mean 'epochs'"):
        load_config(path, ["train.epohcs=2"])
    with pytest.raises(ConfigError, match="key=value"):
        apply_overrides({}, ["train.epochs"])
    with pytest.raises(ConfigError, match="is a value, not a table"):
        apply_overrides({"seed": 1}, ["seed.x=2"])


def test_base_chain_and_loops(tmp_path):
    (tmp_path / "a.toml").write_text("seed = 3\n[train]\nepochs = 4\npatience = 2\n")
    (tmp_path / "b.toml").write_text("base = 'a.toml'\n[train]\nepochs = 9\n")
    tree = read_config_tree(tmp_path / "b.toml")
    assert tree == {"seed": 3, "train": {"epochs": 9, "patience": 2}}
    (tmp_path / "loop.toml").write_text("base = 'loop.toml'\n")
    with pytest.raises(ConfigError, match="its own base"):
        read_config_tree(tmp_path / "loop.toml")
    with pytest.raises(ConfigError, match="does not exist"):
        read_config_tree(tmp_path / "missing.toml")
    (tmp_path / "bad.toml").write_text("x = = 1")
    with pytest.raises(ConfigError, match="not valid TOML"):
        read_config_tree(tmp_path / "bad.toml")


def test_builder_arguments_are_checked(tmp_path):
    with pytest.raises(ConfigError, match="unknown key 'circuit.ansatz.num_layer'.*Did you mean 'num_layers'"):
        load_config(_write(tmp_path, "[circuit.ansatz]\nnum_layer = 2"))
    spec = build_circuit(load_config(_write(tmp_path, "[circuit]\nnum_qubits = 3")).circuit)
    assert (spec.num_qubits, spec.num_inputs, spec.num_weights) == (3, 3, 18)


def test_switching_an_entry_starts_its_table_afresh(tmp_path):
    # the base names nt_xent with a temperature; a child (or --set) naming another loss drops that key
    (tmp_path / "a.toml").write_text("[loss]\nname = 'nt_xent'\ntemperature = 0.2\n")
    (tmp_path / "b.toml").write_text("base = 'a.toml'\n[loss]\nname = 'triplet'\nmargin = 0.5\n")
    assert load_config(tmp_path / "b.toml").loss.options.margin == 0.5
    assert load_config(tmp_path / "a.toml", ["loss.name=contrastive_pair"]).objective.name == "pairs"
    # the same entry keeps merging key by key
    (tmp_path / "c.toml").write_text("base = 'a.toml'\n[loss]\nname = 'nt_xent'\n")
    assert load_config(tmp_path / "c.toml").loss.temperature == 0.2


def test_execution_section_round_trips(tmp_path):
    text = "[execution]\nkind = 'aer'\nshots = 512\nnoise = 'fake_torino'\nseed = 3\n"
    config = load_config(_write(tmp_path, text))
    assert config.execution.options.shots == 512 and config.execution.kind == "aer"
    tree = config_to_dict(config)
    assert tree["execution"] == {"kind": "aer", "shots": 512, "seed": 3, "device": "CPU", "method": "automatic",
                                 "noise": "fake_torino", "optimization_level": 2, "seed_transpiler": 0}
    assert config_from_dict(tomllib.loads(dumps(tree))) == config


def test_did_you_mean():
    assert did_you_mean("tempreature", ["temperature", "margin"]) == " Did you mean 'temperature'?"
    assert did_you_mean("zzz", ["temperature"]) == ""

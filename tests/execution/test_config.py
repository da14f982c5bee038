"""ExecutionConfig: validation messages name the field, the value and the allowed range; dict/TOML round trip."""

from __future__ import annotations

import tomllib

import pytest

from qhep_contrast.exceptions import ConfigError, QHEPError
from qhep_contrast.execution import ExecutionConfig

_IBM = {"kind": "ibm", "backend": "fake_manila", "shots": 100}


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"kind": "qpu"}, ["kind", "'qpu'", "exact", "aer", "ibm"]),
        ({"kind": "aer", "shots": 0}, ["shots", "0", "[1, 10000000]"]),
        ({"kind": "aer", "shots": 2.5}, ["shots", "2.5", "integer"]),
        ({"kind": "aer", "shots": True}, ["shots", "True", "integer"]),
        ({"kind": "aer", "seed": -1}, ["seed", "-1", "[0, 4294967295]"]),
        ({"kind": "aer", "device": "TPU"}, ["device", "'TPU'", "CPU", "GPU"]),
        ({"kind": "aer", "method": "qasm"}, ["method", "'qasm'", "statevector"]),
        ({"kind": "aer", "device": "GPU", "method": "matrix_product_state"}, ["matrix_product_state", "GPU"]),
        ({"kind": "aer", "noise": ""}, ["noise", "''", "non-empty"]),
        ({**_IBM, "optimization_level": 4}, ["optimization_level", "4", "[0, 3]"]),
        ({**_IBM, "seed_transpiler": -3}, ["seed_transpiler", "-3"]),
        ({**_IBM, "mode": "stream"}, ["mode", "'stream'", "job", "batch", "session"]),
        ({**_IBM, "resilience_level": 3}, ["resilience_level", "3", "[0, 2]"]),
        ({**_IBM, "twirling": "yes"}, ["twirling", "'yes'", "true or false"]),
        ({**_IBM, "max_execution_time": 20000}, ["max_execution_time", "20000", "[1, 10800]"]),
        ({**_IBM, "channel": "ibm_quantum"}, ["channel", "'ibm_quantum'", "ibm_quantum_platform", "ibm_cloud"]),
        ({"kind": "ibm", "shots": 10}, ["backend", "fake_manila"]),
        ({"kind": "ibm", "backend": "ibm_torino"}, ["shots", "None"]),
        ({**_IBM, "resume": True}, ["resume", "journal"]),
        ({"shots": 100}, ["shots=100", "aer or ibm", "kind='exact'"]),
        ({"kind": "aer", "backend": "ibm_torino"}, ["backend='ibm_torino'", "ibm", "kind='aer'"]),
        ({"kind": "ibm", "backend": "fake_manila", "shots": 10, "noise": "fake_fez"}, ["noise", "aer"]),
    ],
)
def test_bad_values_name_field_value_and_range(changes: dict, words: list[str]) -> None:
    with pytest.raises(ConfigError) as info:
        ExecutionConfig(**changes)
    for word in words:
        assert word in str(info.value), (word, str(info.value))
    assert isinstance(info.value, QHEPError) and isinstance(info.value, ValueError)


def test_defaults_and_local_flag() -> None:
    assert ExecutionConfig().kind == "exact"
    assert ExecutionConfig(**_IBM).is_local
    assert not ExecutionConfig(kind="ibm", backend="ibm_torino", shots=10).is_local
    with pytest.raises(ConfigError, match="optimization_level"):
        ExecutionConfig(**_IBM).replace(optimization_level=9)


def _to_toml(table: dict) -> str:
    def fmt(v):
        return ("true" if v else "false") if isinstance(v, bool) else f'"{v}"' if isinstance(v, str) else str(v)
    return "[execution]\n" + "".join(f"{k} = {fmt(v)}\n" for k, v in table.items())


@pytest.mark.parametrize("cfg", [
    ExecutionConfig(),
    ExecutionConfig(kind="aer", shots=1024, seed=3, noise="fake_torino", optimization_level=3),
    ExecutionConfig(kind="ibm", backend="ibm_torino", shots=4096, mode="batch", resilience_level=2, twirling=True,
                    dynamical_decoupling=True, max_execution_time=600, channel="ibm_cloud", instance="my-instance",
                    journal="runs/x/jobs.jsonl", resume=True, seed_transpiler=7),
])
def test_dict_and_toml_round_trip(cfg: ExecutionConfig) -> None:
    data = cfg.to_dict()
    assert None not in data.values()
    assert ExecutionConfig.from_dict(data) == cfg
    assert ExecutionConfig.from_dict(tomllib.loads(_to_toml(data))["execution"]) == cfg


def test_from_dict_rejects_unknown_keys_and_credentials() -> None:
    with pytest.raises(ConfigError, match=r"unknown key\(s\) \['shot'\]; allowed keys"):
        ExecutionConfig.from_dict({"kind": "aer", "shot": 5})
    secret = "tok-123-do-not-print"
    for key in ("token", "ibm_token", "API-Key"):
        with pytest.raises(ConfigError, match="credentials never go in run configs") as info:
            ExecutionConfig.from_dict({"kind": "ibm", key: secret})
        assert secret not in str(info.value)
    with pytest.raises(ConfigError, match="mapping"):
        ExecutionConfig.from_dict(["kind", "aer"])


@pytest.mark.parametrize("option", [{"twirling": True}, {"dynamical_decoupling": True}, {"resilience_level": 2},
                                    {"max_execution_time": 60}])
def test_mitigation_options_are_refused_in_local_testing_mode(option: dict) -> None:
    name = next(iter(option))
    with pytest.raises(ConfigError, match=f"local testing mode, which does not apply {name}="):
        ExecutionConfig(kind="ibm", backend="fake_torino", shots=100, **option)
    assert getattr(ExecutionConfig(kind="ibm", backend="ibm_torino", shots=100, **option), name) == option[name]

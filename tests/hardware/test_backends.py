"""Backend names: fake backends offline, real names through the Runtime service with clear credential errors."""

from __future__ import annotations

import pytest

from qhep_contrast.exceptions import BackendError, CredentialsError
from qhep_contrast.hardware import backends, fake_backend_names, is_fake_name, resolve_backend


@pytest.mark.parametrize(
    ("name", "cls"),
    [("fake_manila", "FakeManilaV2"), ("FakeManilaV2", "FakeManilaV2"), ("fake_torino", "FakeTorino"),
     ("Fake-Sherbrooke", "FakeSherbrooke")],
)
def test_fake_names(name: str, cls: str) -> None:
    assert type(resolve_backend(name)).__name__ == cls
    assert is_fake_name(name)


def test_fake_backend_names_lists_both_families() -> None:
    names = fake_backend_names()
    assert {"fake_torino", "fake_fez", "fake_sherbrooke", "fake_brisbane", "fake_manila"} <= set(names)
    assert not any(name.endswith("v2") or "provider" in name for name in names)
    assert names == sorted(names)


def test_unknown_fake_name() -> None:
    with pytest.raises(BackendError, match="unknown fake backend 'fake_nowhere'"):
        resolve_backend("fake_nowhere")


class _Service:
    """Stand-in for QiskitRuntimeService raising what the real one raises offline / without account."""

    error: Exception

    def __init__(self) -> None:
        raise self.error


def _install(monkeypatch, error: Exception) -> None:
    import qiskit_ibm_runtime

    service = type("Service", (_Service,), {"error": error})
    monkeypatch.setattr(qiskit_ibm_runtime, "QiskitRuntimeService", service)


def test_real_name_without_account(monkeypatch) -> None:
    from qiskit_ibm_runtime.accounts import AccountNotFoundError

    _install(monkeypatch, AccountNotFoundError("Unable to find account."))
    with pytest.raises(CredentialsError, match="no IBM Quantum account is saved; save .*save_account"):
        resolve_backend("ibm_torino")


def test_real_name_offline_blames_the_connection_and_hides_the_token(monkeypatch) -> None:
    from qiskit_ibm_runtime.accounts import InvalidAccountError

    error = InvalidAccountError("Unable to retrieve instances. Check that the token 'sekret123' is valid.")
    error.__cause__ = ConnectionError("name resolution failed")
    _install(monkeypatch, error)
    with pytest.raises(CredentialsError) as info:
        resolve_backend("ibm_torino")
    assert "unreachable" in str(info.value) and "ConnectionError" in str(info.value)
    assert "sekret123" not in str(info.value)


def test_service_without_that_backend(monkeypatch) -> None:
    class Service:
        def backend(self, name: str):
            raise KeyError(name)

    monkeypatch.setattr(backends, "_service", Service)
    with pytest.raises(BackendError, match="no backend 'ibm_nowhere'"):
        resolve_backend("ibm_nowhere")

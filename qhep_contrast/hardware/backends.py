"""Resolve backend names: IBM fake backends offline, real IBM devices through a saved Runtime account.

``fake_torino``, ``FakeTorino`` and ``faketorino`` all name :class:`qiskit_ibm_runtime.fake_provider.FakeTorino`;
``fake_manila`` also finds ``FakeManilaV2`` (the older fakes exist only as ``...V2`` classes). Any other name
is taken as a real device and looked up with :class:`qiskit_ibm_runtime.QiskitRuntimeService`, which needs an
account saved with ``QiskitRuntimeService.save_account(...)`` (or the ``QISKIT_IBM_TOKEN`` /
``QISKIT_IBM_INSTANCE`` environment variables).
"""

from __future__ import annotations

import functools
import re

from qiskit.providers import BackendV2

from qhep_contrast.exceptions import BackendError, CredentialsError

__all__ = ["fake_backend_names", "resolve_backend", "is_fake_name"]

_SAVE_HINT = (
    "save an IBM Quantum account once with `from qiskit_ibm_runtime import QiskitRuntimeService; "
    "QiskitRuntimeService.save_account(token=..., instance=..., channel='ibm_quantum_platform')`, or use a fake "
    "backend such as fake_torino (run `qhep transpile --list-backends` for all)"
)


def _normalise(name: str) -> str:
    """``"Fake_Torino"`` -> ``"faketorino"``: lower case without separators."""
    return re.sub(r"[\s_\-]", "", name).lower()


@functools.cache
def _fake_classes() -> dict[str, type]:
    """Normalised name (``"faketorino"``, and ``"fakemanila"`` for ``FakeManilaV2``) -> fake backend class."""
    import qiskit_ibm_runtime.fake_provider as provider

    classes: dict[str, type] = {}
    for attr in dir(provider):
        cls = getattr(provider, attr)
        if attr.startswith("Fake") and isinstance(cls, type) and issubclass(cls, BackendV2):
            classes[_normalise(attr)] = cls
    for key, cls in list(classes.items()):
        if key.endswith("v2"):
            classes.setdefault(key[:-2], cls)
    return classes


def fake_backend_names() -> list[str]:
    """Snake-case names of every fake backend, e.g. ``["fake_aachen", ..., "fake_torino", ...]``.

    Only classes with a device snapshot are listed (not ``FakeProviderForBackendV2`` or
    ``FakeFractionalBackend``); the ``V2`` suffix is dropped (``fake_manila`` for ``FakeManilaV2``).
    """
    names = set()
    for key, cls in _fake_classes().items():
        if key.endswith("v2") or not getattr(cls, "backend_name", None):
            continue
        names.add("fake_" + key.removeprefix("fake"))
    return sorted(names)


def is_fake_name(name: str) -> bool:
    """Whether ``name`` names a fake backend (``fake_*``, ``Fake*``) rather than a real device."""
    return _normalise(name).startswith("fake")


def resolve_backend(name: str) -> BackendV2:
    """The backend called ``name``: a fake backend (offline) or a real IBM device (needs an account).

    Args:
        name: ``"fake_torino"`` / ``"FakeTorino"`` style for fake backends, or a device name such as
            ``"ibm_torino"`` for a real one.

    Returns:
        A ``BackendV2`` whose ``target`` carries gate errors and durations.

    Raises:
        BackendError: a ``fake_*`` name matches no fake backend, or the service has no such device.
        CredentialsError: a real device was asked for and no usable IBM Quantum account is saved.
    """
    if is_fake_name(name):
        cls = _fake_classes().get(_normalise(name))
        if cls is None:
            raise BackendError(
                f"unknown fake backend {name!r}; expected one of qiskit_ibm_runtime.fake_provider's backends, "
                f"e.g. {', '.join(fake_backend_names()[:6])}, ... (`qhep transpile --list-backends` lists all)."
            )
        return cls()
    service = _service()
    try:
        return service.backend(name)
    except Exception as err:  # noqa: BLE001 - the service raises several unrelated types for a bad name
        raise BackendError(
            f"IBM Quantum service has no backend {name!r} available to this account ({type(err).__name__}); "
            "list yours with `QiskitRuntimeService().backends()`, or use a fake backend such as fake_torino."
        ) from err


def _service():  # -> QiskitRuntimeService (imported lazily: it is slow to import)
    """A ``QiskitRuntimeService`` from the saved account, with account errors turned into ``CredentialsError``."""
    from qiskit_ibm_runtime import QiskitRuntimeService
    from qiskit_ibm_runtime.accounts import AccountNotFoundError, InvalidAccountError

    try:
        return QiskitRuntimeService()
    except AccountNotFoundError as err:
        raise CredentialsError(f"no IBM Quantum account is saved; {_SAVE_HINT}.") from err
    except InvalidAccountError as err:
        cause = err.__cause__ or err.__context__
        reason = f" (underlying cause: {type(cause).__name__})" if cause is not None else ""
        raise CredentialsError(
            "the saved IBM Quantum account could not be used: the service was unreachable or the token/instance "
            f"was rejected{reason}. Check the network connection, then the account; {_SAVE_HINT}."
        ) from err

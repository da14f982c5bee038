"""Without the ``generate`` extra, jet generation fails early with an install hint (no file written)."""

from __future__ import annotations

import sys

import pytest

from qhep_contrast.data.generators.jet_generation import generate_jets
from qhep_contrast.data.generators.pythia_jets import import_generator_modules
from qhep_contrast.exceptions import DependencyError


@pytest.mark.parametrize("missing", ["pythia8mc", "fastjet"])
def test_missing_extra_raises_dependency_error(missing: str, tmp_path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(sys.modules, missing, None)
    with pytest.raises(DependencyError, match=r"pip install 'pythia8mc==8\.317\.2' fastjet"):
        import_generator_modules()
    with pytest.raises(ImportError):  # DependencyError is also an ImportError
        generate_jets(tmp_path / "x.h5", 10, seed=1, progress=False)
    assert not list(tmp_path.iterdir())

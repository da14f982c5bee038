"""Physics figures of a generated quark/gluon file (slow; needs a file: QHEP_QG_FILE=/path/to/file.h5).

Runs ``scripts/qg_physics_check.py``: a small CNN must reach test ROC AUC >= 0.82 and constituent
multiplicity alone >= 0.78 on the default recipe (Z + jet, pT 100-150 GeV, |eta| < 2, R = 0.4).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

_SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "qg_physics_check.py"


@pytest.mark.slow
@pytest.mark.timeout(3600)
def test_cnn_and_multiplicity_reach_targets() -> None:
    path = os.environ.get("QHEP_QG_FILE")
    if not path:
        pytest.skip("set QHEP_QG_FILE to a quark/gluon file made by `qhep data generate-jets` (e.g. 20k jets)")
    done = subprocess.run([sys.executable, str(_SCRIPT), path, "--json"], capture_output=True, text=True,
                          check=True, timeout=3000)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    assert result["auc_n_particles"] >= 0.78, result
    assert result["auc_cnn"] >= 0.82, result

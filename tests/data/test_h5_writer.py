"""``H5Appender``: write failures become one DataWriteError and leave nothing behind; no silent overwrite."""

from __future__ import annotations

import errno
import subprocess
import sys
import textwrap
from pathlib import Path

import h5py
import numpy as np
import pytest

from qhep_contrast.data.generators.egamma_generation import generate_egamma
from qhep_contrast.data.generators.h5_writer import H5Appender, check_output
from qhep_contrast.exceptions import DataWriteError, OutputExistsError, QHEPError

_BATCH = {"X": np.ones((10, 4, 4), np.float32), "y": np.zeros(10, np.float32)}


def test_appends_and_renames(tmp_path: Path) -> None:
    out = tmp_path / "sub" / "f.h5"
    with H5Appender(out, {"a": 1}) as w:
        w.append(_BATCH)
        w.append(_BATCH)
    assert not (tmp_path / "sub" / "f.h5.partial").exists()
    with h5py.File(out, "r") as f:
        assert f["X"].shape == (20, 4, 4) and f.attrs["a"] == 1


@pytest.mark.parametrize("code, reason", [(errno.ENOSPC, "the disk is full"),
                                          (errno.EDQUOT, "quota"), (errno.EROFS, "read-only")])
def test_write_failure_is_one_clear_error(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, code: int,
                                          reason: str) -> None:
    calls = []

    def failing_setitem(self, key, value):  # the second write hits a full disk
        calls.append(key)
        if len(calls) > 1:
            raise OSError(code, "Can't write data (file write failed)")
        return original(self, key, value)

    original = h5py.Dataset.__setitem__
    monkeypatch.setattr(h5py.Dataset, "__setitem__", failing_setitem)
    out = tmp_path / "full.h5"
    with pytest.raises(DataWriteError) as info:
        with H5Appender(out, {}) as w:
            w.append(_BATCH)
    message = str(info.value)
    assert isinstance(info.value, QHEPError) and isinstance(info.value, OSError)
    assert "full.h5" in message and reason in message and "\n" not in message
    assert not out.exists() and not (tmp_path / "full.h5.partial").exists()


def test_close_failure_is_reported(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    original = h5py.File.close

    def failing_close(self):
        original(self)
        raise RuntimeError("Can't decrement id ref count (file write failed: errno = 28, error message = 'x')")

    monkeypatch.setattr(h5py.File, "close", failing_close)
    out = tmp_path / "c.h5"
    with pytest.raises(DataWriteError, match="disk is full"):
        with H5Appender(out, {}) as w:
            w.append(_BATCH)
    assert not out.exists() and not (tmp_path / "c.h5.partial").exists()


def test_real_file_size_limit_exits_2_without_crash(tmp_path: Path) -> None:
    """A real failing write (RLIMIT_FSIZE, like a full disk) through the CLI: exit 2, one line, no file."""
    pytest.importorskip("resource")
    out = tmp_path / "eg.h5"
    script = textwrap.dedent(f"""
        import resource, signal, sys
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (200_000, 200_000))
        from qhep_contrast.cli.main import main
        sys.exit(main(["data", "generate-egamma", {str(out)!r}, "--n", "3000"]))
    """)
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120,
                          cwd=Path(__file__).resolve().parents[2])
    errors = [line for line in proc.stderr.splitlines() if "error" in line.lower()]
    assert proc.returncode == 2, proc.stderr[-2000:]
    assert len(errors) == 1 and "eg.h5" in errors[0] and "size limit" in errors[0], proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert not out.exists() and not (tmp_path / "eg.h5.partial").exists()


def test_existing_output_needs_force(tmp_path: Path) -> None:
    out = tmp_path / "eg.h5"
    generate_egamma(out, 8, 1, progress=False)
    before = out.read_bytes()
    with pytest.raises(OutputExistsError, match="eg.h5.*exists.*--force"):
        generate_egamma(out, 8, 2, progress=False)
    assert out.read_bytes() == before
    generate_egamma(out, 8, 2, progress=False, force=True)
    assert out.read_bytes() != before
    with pytest.raises(OutputExistsError, match="folder"):
        check_output(tmp_path, force=True)


def test_leftover_partial_is_reported_or_removed_with_force(tmp_path: Path) -> None:
    out = tmp_path / "eg.h5"
    partial = tmp_path / "eg.h5.partial"
    partial.write_bytes(b"left by a killed run")
    with pytest.raises(OutputExistsError, match="eg.h5.partial.*interrupted"):
        generate_egamma(out, 8, 1, progress=False)
    assert partial.exists() and not out.exists()
    generate_egamma(out, 8, 1, progress=False, force=True)
    assert out.exists() and not partial.exists()


def test_generate_jets_refuses_an_existing_output_before_generating(tmp_path: Path) -> None:
    from qhep_contrast.data.generators.jet_generation import generate_jets

    out = tmp_path / "jets.h5"
    out.write_bytes(b"precious")
    with pytest.raises(OutputExistsError, match="jets.h5.*exists"):
        generate_jets(out, 10, 1, workers=1, progress=False)  # raises before Pythia is needed
    assert out.read_bytes() == b"precious"

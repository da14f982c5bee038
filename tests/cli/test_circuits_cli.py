"""``qhep circuits export | check`` on a temporary store."""

from __future__ import annotations

import dataclasses

import pytest

from qhep_contrast.circuits import store
from qhep_contrast.cli.main import main


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    folder = tmp_path_factory.mktemp("store")
    assert main(["circuits", "export", "--folder", str(folder), "--backends", "fake_manila"]) == 0
    return folder


def test_export_then_check(exported, capsys) -> None:
    manifest = store.read_manifest(exported)
    assert set(manifest["circuits"]) == set(store.default_specs())
    # only the circuits that fit on 5 qubits get an ISA version
    assert set(manifest["transpiled"]["fake_manila"]) == {"token_loader", "qvit_query_key", "qvit_value",
                                                          "qssl_classifier"}
    assert (exported / "transpiled" / "fake_manila" / "qvit_value.qasm").is_file()
    assert main(["circuits", "check", "--folder", str(exported), "--retranspile"]) == 0
    assert "matches its manifest" in capsys.readouterr().out


def test_check_names_a_changed_file(exported, tmp_path, capsys) -> None:
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(exported, copy)
    with (copy / "w1.qasm").open("a") as handle:
        handle.write("// edited\n")
    (copy / "transpiled" / "fake_manila" / "qvit_value.qpy").write_bytes(b"junk")
    assert main(["circuits", "check", "--folder", str(copy)]) == 1
    out = capsys.readouterr().out
    assert "w1: w1.qasm does not match its manifest qasm3_sha256" in out
    assert "transpiled/fake_manila/qvit_value: " in out and "not a readable QPY file" in out
    assert "run `qhep circuits export`" in out


def test_check_detects_builder_drift(exported, monkeypatch, capsys) -> None:
    specs = store.default_specs()
    changed = specs["qvit_value"].circuit.copy()
    changed.x(0)
    specs["qvit_value"] = dataclasses.replace(specs["qvit_value"], circuit=changed)
    monkeypatch.setattr(store, "default_specs", lambda: specs)
    assert main(["circuits", "check", "--folder", str(exported)]) == 1
    assert "qvit_value: the builder no longer produces the stored circuit qvit_value.qpy" in capsys.readouterr().out


def test_check_without_store(tmp_path, capsys) -> None:
    assert main(["circuits", "check", "--folder", str(tmp_path)]) == 2
    assert "qhep circuits export" in capsys.readouterr().err


def test_export_again_keeps_unchanged_files_and_prunes_stale_ones(exported, tmp_path) -> None:
    import shutil

    copy = tmp_path / "store"
    shutil.copytree(exported, copy)
    before = {p: p.read_bytes() for p in copy.rglob("*.qpy")}
    (copy / "transpiled" / "fake_gone").mkdir()
    (copy / "transpiled" / "fake_gone" / "w1.qpy").write_bytes(b"old")
    assert main(["circuits", "export", "--folder", str(copy), "--backends", "fake_manila"]) == 0
    assert {p: p.read_bytes() for p in copy.rglob("*.qpy")} == before
    assert not (copy / "transpiled" / "fake_gone").exists()

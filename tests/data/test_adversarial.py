"""Every file of the malformed corpus: the reader raises a package error naming the file (and key), and
``qhep data inspect`` answers with one line and exit code 2 (never a traceback)."""

from __future__ import annotations

from pathlib import Path

import pytest
from adversarial import CASES, Case

from qhep_contrast.cli.main import main
from qhep_contrast.data import Preprocess, QuarkGluonDataset, read_idx
from qhep_contrast.exceptions import QHEPError


def _read_everything(case: Case, path: Path) -> None:
    if case.reader == "idx":
        read_idx(path, rank=3)
        return
    dataset = QuarkGluonDataset(path, transform=Preprocess.from_options(log=1.0))
    for i in range(len(dataset)):
        dataset[i]


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_reader_refuses_with_a_named_package_error(tmp_path: Path, case: Case) -> None:
    path = case.build(tmp_path / case.name)
    with pytest.raises(case.error) as info:
        _read_everything(case, path)
    message = str(info.value)
    assert isinstance(info.value, QHEPError)
    assert case.name in message and "\n" not in message, message
    for fragment in case.fragments:
        assert fragment in message, (fragment, message)


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_inspect_answers_in_one_line(tmp_path: Path, case: Case, capsys: pytest.CaptureFixture[str]) -> None:
    path = case.build(tmp_path / case.name)
    code = main(["data", "inspect", str(path)])
    out, err = capsys.readouterr()
    assert "Traceback" not in out + err
    if case.inspect_ok:
        assert code == 0 and case.inspect_note in out, out
        return
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1, err
    assert lines[0].startswith("qhep data: error: ") and case.name in lines[0], lines[0]

"""Data-parallel training: the shard sampler, and 2 gloo processes (torchrun) against 1 process, only rank 0
writing, and a killed 2-process run resumed by 1 process."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import torch

from qhep_contrast.exceptions import ConfigError
from qhep_contrast.experiment.config import load_config
from qhep_contrast.pipeline import resume_run, train_run
from qhep_contrast.training.checkpoint import load_checkpoint
from qhep_contrast.training.distributed import ShardSampler
from qhep_contrast.training.epoch_data import EpochSampler
from qhep_contrast.training.fit_loop import LAST_CHECKPOINT
from qhep_contrast.training.metrics_log import read_metrics
from tests.training.conftest import CONFIG_DIR

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("length, batch, world", [(10, 4, 2), (38, 16, 2), (12, 6, 3), (7, 8, 4)])
def test_shards_cut_the_single_process_order(length: int, batch: int, world: int) -> None:
    """Concatenating the ranks' slices batch by batch gives the one-process order, each global batch cut to a
    multiple of the number of processes."""
    base = EpochSampler(length, seed=3)
    base.set_epoch(2)
    order = list(base)
    shards = [list(ShardSampler(base, batch, r, world)) for r in range(world)]
    local = batch // world
    expected, rebuilt = [], []
    for i, start in enumerate(range(0, length, batch)):
        chunk = order[start:start + batch]
        expected += chunk[:len(chunk) - len(chunk) % world]
        m = len(chunk) // world
        for shard in shards:
            rebuilt += shard[i * local:i * local + m]
    assert rebuilt == expected
    assert all(len(s) == len(ShardSampler(base, batch, 0, world)) for s in shards)


def test_shard_sampler_needs_a_divisible_batch() -> None:
    with pytest.raises(ConfigError, match="multiple of the number of processes"):
        ShardSampler(EpochSampler(10, 0), 5, 0, 2)


_GUARD = """
import builtins, io, os, signal
_root = os.environ["QHEP_TEST_RUN_ROOT"]
_kill_at = int(os.environ.get("QHEP_TEST_KILL_AT_EPOCH", "0"))
_open, _os_open = io.open, os.open
_appends = 0

def _check(path, write):
    global _appends
    path = os.path.abspath(os.fspath(path)) if isinstance(path, (str, os.PathLike)) else ""
    if not (write and path.startswith(_root)):
        return
    if os.environ.get("RANK", "0") != "0":
        raise PermissionError(f"rank {os.environ['RANK']} wrote {path}")
    if _kill_at and path.endswith("metrics.jsonl"):
        _appends += 1
        if _appends == _kill_at:  # epoch _kill_at is checkpointed: kill torchrun and both ranks now
            os.killpg(os.getpgid(0), signal.SIGKILL)

def guarded_open(file, mode="r", *a, **k):
    _check(file, any(c in mode for c in "wax+"))
    return _open(file, mode, *a, **k)

def guarded_os_open(path, flags, *a, **k):
    _check(path, flags & (os.O_WRONLY | os.O_RDWR | os.O_CREAT))
    return _os_open(path, flags, *a, **k)

builtins.open = io.open = guarded_open
os.open = guarded_os_open
"""


def _torchrun(args: list[str], root: Path, guard_dir: Path, kill_at: int = 0) -> subprocess.Popen:
    """``torchrun --nproc-per-node 2 -m qhep_contrast.cli train ...``; ranks other than 0 may not write under
    ``root`` (a ``sitecustomize`` refuses it, failing the run); ``kill_at > 0`` SIGKILLs torchrun and both
    ranks when rank 0 appends its ``kill_at``-th metrics line (after that epoch's checkpoint)."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(guard_dir), str(REPO)]), "QHEP_TEST_RUN_ROOT": str(root),
           "OMP_NUM_THREADS": "1", "QHEP_TEST_KILL_AT_EPOCH": str(kill_at)}
    cmd = [sys.executable, "-m", "torch.distributed.run", "--standalone", "--nproc-per-node=2",
           "-m", "qhep_contrast.cli", "train", *args]
    return subprocess.Popen(cmd, env=env, cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            start_new_session=True)


def _weights(folder: Path) -> dict[str, torch.Tensor]:
    return load_checkpoint(folder / LAST_CHECKPOINT)["model"]


def _assert_same_weights(a: dict[str, torch.Tensor], b: dict[str, torch.Tensor]) -> None:
    assert a.keys() == b.keys()
    for name in a:
        np.testing.assert_allclose(a[name].numpy(), b[name].numpy(), atol=1e-5, rtol=1e-5, err_msg=name)


def _only_run(root: Path) -> Path:
    (folder,) = [p.parent for p in root.rglob("config.toml")]
    return folder


@pytest.mark.slow
def test_two_processes_train_like_one_and_resume_with_one(tmp_path, tiny) -> None:
    # SGD: float rounding (gradients summed over ranks, embeddings gathered) stays at rounding level; Adam's
    # first steps move every weight by ~lr * sign(g), which turns rounding in near-zero gradients into lr-sized
    # differences and would hide nothing but also prove nothing at a tight tolerance
    sets = [*tiny, "train.epochs=5", "train.evaluate=false", "data.limit=64", "train.threads=1",
            'optimizer.name="sgd"', "optimizer.lr=0.05", "optimizer.quantum_lr=0.05"]
    config = load_config(CONFIG_DIR / "simclr_jets.toml", sets)
    guard = tmp_path / "guard"
    guard.mkdir()
    (guard / "sitecustomize.py").write_text(textwrap.dedent(_GUARD))
    cli_sets = [x for s in sets for x in ("--set", s)]

    one = train_run(config, run_dir=tmp_path / "one")  # one process, the same global batch

    two_root = tmp_path / "two"
    proc = _torchrun([str(CONFIG_DIR / "simclr_jets.toml"), *cli_sets, "--runs-root", str(two_root)], two_root, guard)
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode == 0, out
    two = _only_run(two_root)
    _assert_same_weights(_weights(one.run_dir), _weights(two))
    history = read_metrics(two / "metrics.jsonl")
    assert [r["epoch"] for r in history] == [1, 2, 3, 4, 5]  # one writer: each epoch once
    assert history[0]["samples"] == read_metrics(one.run_dir / "metrics.jsonl")[0]["samples"]

    killed_root = tmp_path / "killed"
    proc = _torchrun([str(CONFIG_DIR / "simclr_jets.toml"), *cli_sets, "--runs-root", str(killed_root)],
                     killed_root, guard, kill_at=2)
    out, _ = proc.communicate(timeout=600)
    assert proc.returncode != 0, out
    killed = _only_run(killed_root)
    assert int(load_checkpoint(killed / LAST_CHECKPOINT)["epoch"]) == 2, out

    resumed = resume_run(killed)  # one process now
    assert resumed.fit.last_epoch == 5
    _assert_same_weights(_weights(two), _weights(killed))


def test_the_write_guard_refuses_other_ranks(tmp_path) -> None:
    """The guard of the 2-process test does fail a rank other than 0 that writes under the run root."""
    (tmp_path / "sitecustomize.py").write_text(textwrap.dedent(_GUARD))
    root = tmp_path / "runs"
    root.mkdir()
    code = f"import pathlib; pathlib.Path({str(root / 'x.txt')!r}).open('a').write('x')"
    for rank, ok in (("0", True), ("1", False)):
        env = {**os.environ, "PYTHONPATH": str(tmp_path), "QHEP_TEST_RUN_ROOT": str(root), "RANK": rank}
        proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
        assert (proc.returncode == 0) == ok, proc.stderr
        assert ok or "PermissionError: rank 1 wrote" in proc.stderr


def test_one_process_group_gathers_sums_and_broadcasts(tmp_path) -> None:
    """The collectives on a 1-process gloo group: gathered rows keep their gradients, sums and broadcasts
    return the values, and a world of one wraps the model in DDP with gathered outputs."""
    import torch.distributed as dist

    from qhep_contrast.training.distributed import Distributed, GatherOutputs, gather_rows

    dist.init_process_group("gloo", init_method=f"file://{tmp_path / 'store'}", rank=0, world_size=1)
    try:
        x = torch.randn(3, 2, requires_grad=True)
        (gather_rows(x) * torch.arange(6.0).view(3, 2)).sum().backward()
        assert torch.equal(x.grad, torch.arange(6.0).view(3, 2))
        d = Distributed(0, 1, 0, torch.device("cpu"))
        assert d.sum(1.5, 2) == (1.5, 2.0) and d.broadcast("folder") == "folder" and d.is_main
        model = d.wrap(torch.nn.Linear(2, 2), gather=True)
        assert isinstance(model, GatherOutputs) and model(x).shape == (3, 2)
        d.barrier()
    finally:
        dist.destroy_process_group()

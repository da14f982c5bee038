"""The fit loop: train an epoch, validate, log, checkpoint; resume exactly; stop early; survive Ctrl-C.

One epoch ``e`` (1-based):

1. ``set_epoch(e)`` on the sampler and the training set: the data order, the views and the pairs of epoch
   ``e`` are functions of ``(seed, e)`` only (:mod:`qhep_contrast.training.epoch_data`);
2. a pass over the training batches (forward, loss, backward, optional gradient clipping, optimizer step)
   under a tqdm bar showing the running loss and the throughput in samples/s;
3. the validation loss (no gradients, fixed validation views);
4. one scheduler step, early-stopping bookkeeping, and then, in this order: ``checkpoints/best.pt`` when
   the validation loss improved, ``checkpoints/last.pt`` (everything needed to continue: model, optimizer,
   scheduler, early stopping, history, global RNG states, epoch, and the objective's own state when it has a
   ``state_dict()``/``load_state_dict()`` pair, such as a memory bank), and the epoch's line in
   ``metrics.jsonl``. Each file is written atomically.

``last.pt`` is also written before the first epoch, so an interrupted run can always resume. Resuming loads
``last.pt``, rewrites ``metrics.jsonl`` from its history, and continues with the next epoch; because
nothing in an epoch depends on state that is not in the checkpoint, a killed-and-resumed run ends with
the same weights and metrics as an uninterrupted one (bit for bit on the same machine and thread count).
Ctrl-C stops the loop; the last completed epoch is already on disk and the partial epoch is dropped. A
non-finite training loss (checked before its step is taken), non-finite weights or a non-finite validation
loss stop the run with :class:`~qhep_contrast.exceptions.TrainingDivergedError` naming the epoch (and step);
``last.pt`` keeps the last good epoch. Temporary files left by a process killed mid-write are removed when a
run starts or resumes.
"""

from __future__ import annotations

import dataclasses
import math
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sized, cast

import torch
from torch import Tensor, nn
from torch.optim import Optimizer
from torch.optim.lr_scheduler import LRScheduler
from torch.utils.data import DataLoader, Dataset
from tqdm import tqdm

from qhep_contrast.exceptions import CheckpointError, TrainingDivergedError
from qhep_contrast.training.checkpoint import load_checkpoint, remove_stale_temporaries, save_checkpoint
from qhep_contrast.training.distributed import Distributed
from qhep_contrast.training.early_stopping import EarlyStopping
from qhep_contrast.training.epoch_data import EpochSampler, set_epoch
from qhep_contrast.training.metrics_log import MetricsLog
from qhep_contrast.training.runtime import capture_rng_state, restore_rng_state

__all__ = ["FitSettings", "FitResult", "fit", "current_lr", "ObjectiveFn", "LAST_CHECKPOINT", "BEST_CHECKPOINT"]

LAST_CHECKPOINT = "checkpoints/last.pt"
BEST_CHECKPOINT = "checkpoints/best.pt"

EpochCallback = Callable[[int, dict[str, Any]], None]
ObjectiveFn = Callable[[nn.Module, Sequence[Tensor], torch.device], tuple[Tensor, int]]
"""``objective(model, batch, device) -> (loss, samples)``, e.g. a :class:`qhep_contrast.objectives.Objective`."""


@dataclass(frozen=True)
class FitSettings:
    """What the loop needs besides the model and the data.

    Attributes:
        epochs: last epoch to train (1-based, inclusive).
        batch_size, eval_batch_size: training and validation batch sizes.
        seed: seed of the data order (with the epoch).
        device: where the model and batches live.
        grad_clip: clip the total gradient norm to this (0: off).
        patience, min_delta: early stopping (see :class:`EarlyStopping`).
        progress: show tqdm bars.
    """

    epochs: int
    batch_size: int
    eval_batch_size: int
    seed: int
    device: torch.device = torch.device("cpu")
    grad_clip: float = 0.0
    patience: int = 0
    min_delta: float = 0.0
    progress: bool = True


@dataclass
class FitResult:
    """Outcome of :func:`fit`.

    Attributes:
        history: one record per completed epoch (the lines of ``metrics.jsonl``).
        best_epoch, best_val_loss: the epoch whose weights are in ``best.pt`` (0 and inf before any).
        last_epoch: last completed epoch.
        stopped_early: the early-stopping rule ended the run.
        interrupted: Ctrl-C ended the run (resume it with ``--resume``).
    """

    history: list[dict[str, Any]] = field(default_factory=list)
    best_epoch: int = 0
    best_val_loss: float = math.inf
    last_epoch: int = 0
    stopped_early: bool = False
    interrupted: bool = False


def _loader(dataset: Dataset, batch_size: int, sampler: EpochSampler, distributed: Distributed | None) -> DataLoader:
    """Batches of ``sampler``'s order; with several processes, this rank's slices of the global batches."""
    if distributed is None:
        return DataLoader(dataset, batch_size=batch_size, sampler=sampler, num_workers=0)
    return DataLoader(dataset, batch_size=batch_size // distributed.world_size,
                      sampler=distributed.sampler(sampler, batch_size), num_workers=0)


def _sums(distributed: Distributed | None, total: float, count: int) -> tuple[float, int]:
    """``(total, count)`` summed over all processes."""
    if distributed is None:
        return total, count
    t, c = distributed.sum(total, count)
    return t, int(c)


class _NoMetrics:
    """The metrics log of a process that does not write the run folder."""

    def append(self, record: dict[str, Any]) -> None:
        pass


def _diverged(what: str, epoch: int, step: int | None) -> TrainingDivergedError:
    where = f"epoch {epoch}" + (f", step {step}" if step is not None else "")
    return TrainingDivergedError(
        f"the {what} became NaN or infinite at {where}; checkpoints/last.pt still holds epoch {epoch - 1}. "
        "Check the data for NaN/inf, lower optimizer.lr, or set train.grad_clip, then start a new run.")


def _check_weights(model: nn.Module, epoch: int) -> None:
    if not all(bool(torch.isfinite(p).all()) for p in model.parameters()):
        raise _diverged("model weights", epoch, None)


def _train_epoch(model: nn.Module, objective: ObjectiveFn, loader: DataLoader, optimizer: Optimizer,
                 settings: FitSettings, epoch: int) -> tuple[float, int, float]:
    """One pass over ``loader``; returns (mean loss, samples, seconds).

    Raises:
        TrainingDivergedError: a non-finite loss (before its step is taken) or non-finite weights at the end.
    """
    model.train()
    total, count, start = 0.0, 0, time.perf_counter()
    bar = tqdm(loader, desc=f"epoch {epoch}/{settings.epochs}", unit="batch", leave=False,
               disable=not settings.progress, file=sys.stderr, dynamic_ncols=True)
    for step, batch in enumerate(bar, start=1):
        optimizer.zero_grad(set_to_none=True)
        loss, n = objective(model, batch, settings.device)
        value = float(loss.detach())
        if not math.isfinite(value):
            raise _diverged("training loss", epoch, step)
        loss.backward()
        if settings.grad_clip:
            nn.utils.clip_grad_norm_(model.parameters(), settings.grad_clip)
        optimizer.step()
        total, count = total + value * n, count + n
        rate = count / max(time.perf_counter() - start, 1e-9)
        bar.set_postfix(loss=f"{total / count:.4f}", samples_per_s=f"{rate:.0f}")
    _check_weights(model, epoch)
    return total / max(count, 1), count, time.perf_counter() - start


@torch.no_grad()
def _validate(model: nn.Module, objective: ObjectiveFn, loader: DataLoader, device: torch.device,
              distributed: Distributed | None = None) -> float:
    model.eval()
    total, count = 0.0, 0
    for batch in loader:
        loss, n = objective(model, batch, device)
        total, count = total + float(loss) * n, count + n
    total, count = _sums(distributed, total, count)
    return total / max(count, 1)


def _state(epoch: int, model: nn.Module, optimizer: Optimizer, scheduler: LRScheduler, stopper: EarlyStopping,
           history: list[dict[str, Any]], seed: int, objective: ObjectiveFn) -> dict[str, Any]:
    state = {"epoch": epoch, "model": model.state_dict(), "optimizer": optimizer.state_dict(),
             "scheduler": scheduler.state_dict(), "early_stopping": stopper.state_dict(), "history": history,
             "rng": capture_rng_state(), "sampler": {"seed": seed, "epoch": epoch}}
    if callable(getattr(objective, "state_dict", None)):
        state["objective"] = objective.state_dict()  # type: ignore[attr-defined]
    return state


def _resume(path: Path, model: nn.Module, optimizer: Optimizer, scheduler: LRScheduler, stopper: EarlyStopping,
            settings: FitSettings, objective: ObjectiveFn) -> tuple[int, list[dict[str, Any]]]:
    state = load_checkpoint(path)  # on the CPU: RNG states must stay CPU tensors; load_state_dict moves the rest
    if state["sampler"]["seed"] != settings.seed:
        raise CheckpointError(f"{path} was written with seed {state['sampler']['seed']}, the run now has seed "
                              f"{settings.seed}; resume with the run folder's own config.toml.")
    try:
        model.load_state_dict(state["model"])
        optimizer.load_state_dict(state["optimizer"])
    except (RuntimeError, ValueError, KeyError) as err:
        raise CheckpointError(f"{path} does not fit the model of this run's config.toml ({str(err).splitlines()[0]}); "
                              "was config.toml edited after training? Restore it, or start a new run.") from err
    scheduler.load_state_dict(state["scheduler"])
    stopper.load_state_dict(state["early_stopping"])
    if "objective" in state and callable(getattr(objective, "load_state_dict", None)):
        objective.load_state_dict(state["objective"])  # type: ignore[attr-defined]
    restore_rng_state(state["rng"])
    return int(state["epoch"]), list(state["history"])


def fit(model: nn.Module, objective: ObjectiveFn, train_set: Dataset, val_set: Dataset, optimizer: Optimizer,
        scheduler: LRScheduler, run_dir: str | Path, settings: FitSettings, *, resume: bool = False,
        on_epoch_end: EpochCallback | None = None, log: Callable[[str], None] | None = None,
        distributed: Distributed | None = None, gather_outputs: bool = False) -> FitResult:
    """Train ``model`` (already on ``settings.device``), checkpointing into ``run_dir`` (see module docs).

    Args:
        model: a Siamese model (``model(a, b) -> (z_a, z_b)``, ``embed``, ``project``).
        objective: turns a batch into a loss (:mod:`qhep_contrast.objectives`).
        train_set: training items; its ``set_epoch`` (if any) is called every epoch.
        val_set: validation items (fixed).
        optimizer, scheduler: built over ``model``'s parameters; the scheduler steps once per epoch.
        run_dir: the run folder (``checkpoints/`` and ``metrics.jsonl`` go there).
        settings: epochs, batch sizes, seed, device, clipping, early stopping, progress.
        resume: continue from ``run_dir/checkpoints/last.pt``.
        on_epoch_end: called as ``on_epoch_end(epoch, record)`` after an epoch is saved.
        log: receives one summary line per epoch (e.g. ``print``); None for silence.
        distributed: this process's place among several training processes (None: one process); see
            :mod:`qhep_contrast.training.distributed`. Only rank 0 writes ``run_dir`` and logs.
        gather_outputs: with several processes, the objective sees the model outputs of the whole global
            batch (losses that compare every sample with every other, such as NT-Xent).

    Returns:
        A :class:`FitResult`.
    """
    run_dir = Path(run_dir)
    stopper = EarlyStopping(settings.patience, settings.min_delta)
    last, best = run_dir / LAST_CHECKPOINT, run_dir / BEST_CHECKPOINT
    start = 0
    history: list[dict[str, Any]] = []
    writes = distributed is None or distributed.is_main
    if writes:
        remove_stale_temporaries(last.parent)  # left by a process killed while writing a checkpoint
    if resume:
        start, history = _resume(last, model, optimizer, scheduler, stopper, settings, objective)
    elif writes:
        save_checkpoint(last, _state(0, model, optimizer, scheduler, stopper, history, settings.seed, objective))
    metrics = MetricsLog(run_dir / "metrics.jsonl", history) if writes else _NoMetrics()
    if not writes:
        log = None
        settings = dataclasses.replace(settings, progress=False)
    sampler = EpochSampler(len(cast(Sized, train_set)), settings.seed)
    train_loader = _loader(train_set, settings.batch_size, sampler, distributed)
    val_loader = _loader(val_set, settings.eval_batch_size,
                         EpochSampler(len(cast(Sized, val_set)), settings.seed, False), distributed)
    train_model = model if distributed is None else distributed.wrap(model, gather_outputs)
    result = FitResult(history=history, last_epoch=start)
    for epoch in range(start + 1, settings.epochs + 1):
        if stopper.should_stop:
            break
        try:
            record = _one_epoch(epoch, train_model, objective, train_set, sampler, train_loader, val_loader,
                                optimizer, scheduler, stopper, settings, distributed)
            if record["improved"] and writes:
                save_checkpoint(best, {"epoch": epoch, "model": model.state_dict(), "val_loss": record["val_loss"]})
            if writes:
                save_checkpoint(last, _state(epoch, model, optimizer, scheduler, stopper, [*history, record],
                                             settings.seed, objective))
            result.last_epoch = epoch
            history.append(record)
            metrics.append(record)
            if log is not None:
                log(_summary_line(record, settings.epochs))
            if on_epoch_end is not None:
                on_epoch_end(epoch, record)
        except KeyboardInterrupt:  # last.pt holds the last completed epoch; a partial epoch is redone on resume
            result.interrupted = True
            break
    if distributed is not None and not result.interrupted:
        distributed.barrier()  # rank 0's files are complete before any process goes on
    result.stopped_early = stopper.should_stop and not result.interrupted
    result.best_epoch, result.best_val_loss = stopper.best_epoch, stopper.best
    return result


def _one_epoch(epoch: int, model: nn.Module, objective: ObjectiveFn, train_set: Dataset, sampler: EpochSampler,
               train_loader: DataLoader, val_loader: DataLoader, optimizer: Optimizer, scheduler: LRScheduler,
               stopper: EarlyStopping, settings: FitSettings, distributed: Distributed | None) -> dict[str, Any]:
    sampler.set_epoch(epoch)
    set_epoch(train_set, epoch)
    lr = current_lr(optimizer)
    train_loss, samples, seconds = _train_epoch(model, objective, train_loader, optimizer, settings, epoch)
    if distributed is not None:  # every process's mean loss and samples: the global mean and count
        total, samples = _sums(distributed, train_loss * samples, samples)
        train_loss = total / max(samples, 1)
    val_loss = _validate(model, objective, val_loader, settings.device, distributed)
    if not math.isfinite(val_loss):
        raise _diverged("validation loss", epoch, None)
    scheduler.step()
    improved = stopper.update(val_loss, epoch)
    return {"epoch": epoch, "train_loss": train_loss, "val_loss": val_loss, "lr": lr, "improved": improved,
            "best_val_loss": stopper.best, "samples": samples, "seconds": seconds,
            "samples_per_s": samples / max(seconds, 1e-9)}


def current_lr(optimizer: Optimizer) -> float:
    """Learning rate of the first parameter group."""
    return float(optimizer.param_groups[0]["lr"])


def _summary_line(record: dict[str, Any], epochs: int) -> str:
    mark = " *" if record["improved"] else ""
    return (f"epoch {record['epoch']:>3}/{epochs}  train {record['train_loss']:.4f}  val {record['val_loss']:.4f}"
            f"{mark}  lr {record['lr']:.2e}  {record['samples_per_s']:.0f} samples/s  {record['seconds']:.1f} s")

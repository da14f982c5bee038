"""Data-parallel training with ``torch.distributed``: one process per device, gradients averaged by DDP.

Start ``N`` processes with ``torchrun --nproc-per-node N -m qhep_contrast.cli train CONFIG`` (or ``qhep train
CONFIG --nproc N``, which calls it); every process runs the same code and :func:`from_environment` joins the
process group that torchrun describes in the environment (gloo on CPU, NCCL on CUDA, one GPU per local rank).

What makes ``N`` processes train exactly like one process with the same global batch ``G``:

* :class:`ShardSampler` cuts the single-process order of every epoch (a function of ``(seed, epoch)``) into
  global batches of ``G`` and gives rank ``r`` the ``r``-th of ``N`` equal slices of each; every rank reads
  only its own items (the datasets read an item when it is indexed), and the order does not depend on ``N``,
  so a checkpoint resumes with any number of processes. A last global batch that ``N`` does not divide is cut
  to a multiple of ``N`` (at most ``N - 1`` items of an epoch are left out).
* contrastive objectives that compare every sample with every other (``two_views``) see the embeddings of the
  whole global batch: :class:`GatherOutputs` concatenates the model's outputs of all ranks in rank order
  (``torch.distributed.nn.functional.all_gather``, whose backward sends every rank the gradient of its own
  rows), so each rank computes the single-process loss; other objectives average per-sample losses, which
  DDP's gradient average turns into the global mean (equal slices).
* the losses reported per epoch are sums over ranks (:meth:`Distributed.sum`), and only rank 0 writes the run
  folder (checkpoints, metrics, summary).

What does not scale this way: the circuit width, since every sample's statevector lives on one device.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import torch
import torch.distributed as dist
from torch import Tensor, nn
from torch.utils.data import Sampler

from qhep_contrast.exceptions import ConfigError
from qhep_contrast.training.epoch_data import EpochSampler

__all__ = ["Distributed", "ShardSampler", "GatherOutputs", "from_environment", "gather_rows", "world_size_from_env"]


def world_size_from_env() -> int:
    """``WORLD_SIZE`` as set by torchrun (1 when unset)."""
    return int(os.environ.get("WORLD_SIZE", "1"))


def gather_rows(t: Tensor) -> Tensor:
    """Rows of ``t`` from every rank, concatenated in rank order, differentiable (equal shapes on all ranks)."""
    from torch.distributed.nn.functional import all_gather  # imported on use: it registers autograd functions

    with warnings.catch_warnings():
        # the suggested replacement lives in a private torch module; this public one is autograd-aware
        warnings.filterwarnings("ignore", message=".*all_gather is deprecated", category=FutureWarning)
        parts = all_gather(t)
    return torch.cat(parts, dim=0)


class GatherOutputs(nn.Module):
    """``module(*args)`` whose tensor outputs are gathered over all ranks (see :func:`gather_rows`)."""

    def __init__(self, module: nn.Module) -> None:
        super().__init__()
        self.module = module

    def forward(self, *args: Any) -> Any:
        out = self.module(*args)
        if isinstance(out, Tensor):
            return gather_rows(out)
        return tuple(gather_rows(o) for o in out)


class ShardSampler(Sampler[int]):
    """Rank ``rank``'s slice of every global batch of an :class:`EpochSampler`'s order (module docstring).

    Iterate it with a ``DataLoader`` of batch size ``batch_size // world_size``.

    Raises:
        ConfigError: ``batch_size`` is not a multiple of ``world_size``.
    """

    def __init__(self, base: EpochSampler, batch_size: int, rank: int, world_size: int) -> None:
        if batch_size % world_size:
            raise ConfigError(f"the batch size {batch_size} must be a multiple of the number of processes "
                              f"{world_size} (each takes an equal slice of every global batch); set "
                              f"data.batch_size and data.eval_batch_size to multiples of {world_size}.")
        self.base, self.batch_size, self.rank, self.world_size = base, int(batch_size), int(rank), int(world_size)

    def set_epoch(self, epoch: int) -> None:
        """Select the order of epoch ``epoch``."""
        self.base.set_epoch(epoch)

    def _sizes(self) -> list[int]:
        n, g = len(self.base), self.batch_size
        return [min(g, n - s) // self.world_size for s in range(0, n, g)]

    def __len__(self) -> int:
        return sum(self._sizes())

    def __iter__(self) -> Iterator[int]:
        order = list(self.base)
        out: list[int] = []
        for start, m in zip(range(0, len(order), self.batch_size), self._sizes()):
            out += order[start + self.rank * m:start + (self.rank + 1) * m]
        return iter(out)


@dataclass(frozen=True)
class Distributed:
    """This process's place in the process group.

    Attributes:
        rank, world_size, local_rank: as torchrun sets them.
        device: this process's device (``cuda:<local_rank>`` on GPUs).
    """

    rank: int
    world_size: int
    local_rank: int
    device: torch.device

    @property
    def is_main(self) -> bool:
        """Rank 0: the process that writes the run folder."""
        return self.rank == 0

    def wrap(self, model: nn.Module, gather: bool) -> nn.Module:
        """``model`` in ``DistributedDataParallel`` (gradients averaged over ranks), its outputs gathered over
        ranks when ``gather``. Parameters start from rank 0's values."""
        ids = [self.device.index] if self.device.type == "cuda" else None
        ddp = nn.parallel.DistributedDataParallel(model, device_ids=ids, find_unused_parameters=True)
        return GatherOutputs(ddp) if gather else ddp

    def sampler(self, base: EpochSampler, batch_size: int) -> ShardSampler:
        """This rank's :class:`ShardSampler` over ``base``."""
        return ShardSampler(base, batch_size, self.rank, self.world_size)

    def sum(self, *values: float) -> tuple[float, ...]:
        """Each value summed over all ranks (float64)."""
        t = torch.tensor(values, dtype=torch.float64, device=self._comm_device())
        dist.all_reduce(t)
        return tuple(float(v) for v in t.cpu())

    def broadcast(self, value: Any) -> Any:
        """Rank 0's ``value`` on every rank (any picklable object)."""
        box = [value]
        dist.broadcast_object_list(box, src=0, device=self._comm_device())
        return box[0]

    def barrier(self) -> None:
        """Wait for every rank."""
        if self.device.type == "cuda":
            dist.barrier(device_ids=[self.local_rank])
        else:
            dist.barrier()

    def _comm_device(self) -> torch.device:
        return self.device if dist.get_backend() == "nccl" else torch.device("cpu")


def from_environment(device: torch.device) -> Distributed | None:
    """Join the process group torchrun describes (None when this is a single process).

    Uses NCCL when ``device`` is a CUDA device (then ``cuda:<LOCAL_RANK>``), gloo otherwise.
    """
    world = world_size_from_env()
    if world <= 1:
        return None
    rank, local = int(os.environ["RANK"]), int(os.environ.get("LOCAL_RANK", "0"))
    if device.type == "cuda":
        device = torch.device("cuda", local)
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return Distributed(rank, world, local, device)

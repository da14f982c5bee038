"""Early stopping on the validation loss, with a state that checkpoints and resumes exactly."""

from __future__ import annotations

import math
from typing import Any

__all__ = ["EarlyStopping"]


class EarlyStopping:
    """Track the best validation loss and stop after ``patience`` epochs without improvement.

    An epoch improves when ``loss < best - min_delta``. With ``patience = 0`` the run never stops early
    (the best epoch is still tracked, and its weights are what the evaluation uses).

    Args:
        patience: epochs without improvement before stopping (0: never stop).
        min_delta: smallest decrease of the loss that counts as an improvement (>= 0).
    """

    def __init__(self, patience: int = 0, min_delta: float = 0.0) -> None:
        self.patience, self.min_delta = int(patience), float(min_delta)
        self.best = math.inf
        self.best_epoch = 0
        self.bad_epochs = 0

    def update(self, loss: float, epoch: int) -> bool:
        """Record epoch ``epoch``'s validation loss; return True if it is the new best."""
        if loss < self.best - self.min_delta:
            self.best, self.best_epoch, self.bad_epochs = float(loss), int(epoch), 0
            return True
        self.bad_epochs += 1
        return False

    @property
    def should_stop(self) -> bool:
        """True once ``patience`` consecutive epochs failed to improve (never for ``patience = 0``)."""
        return self.patience > 0 and self.bad_epochs >= self.patience

    def state_dict(self) -> dict[str, Any]:
        """The state for a checkpoint."""
        return {"best": self.best, "best_epoch": self.best_epoch, "bad_epochs": self.bad_epochs}

    def load_state_dict(self, state: dict[str, Any]) -> None:
        """Restore :meth:`state_dict`."""
        self.best, self.best_epoch, self.bad_epochs = float(state["best"]), int(state["best_epoch"]), \
            int(state["bad_epochs"])

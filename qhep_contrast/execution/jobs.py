"""`DerivedJob`: a primitive job whose result is computed from another job's result."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from qiskit.primitives import BasePrimitiveJob

__all__ = ["DerivedJob"]


class DerivedJob(BasePrimitiveJob):
    """Wrap ``inner`` (already submitted) and post-process its result once, on the first ``result()``.

    Status, id and cancellation are the inner job's, so a journal records the id of the job that really
    ran on the device.

    Args:
        inner: the submitted job (any object with the ``BasePrimitiveJob`` methods).
        post: ``post(inner.result()) -> result``.
    """

    def __init__(self, inner: Any, post: Callable[[Any], Any]) -> None:
        super().__init__(job_id=str(inner.job_id()))
        self.inner = inner
        self._post = post
        self._result: Any = None
        self._done = False

    def result(self) -> Any:
        if not self._done:
            self._result = self._post(self.inner.result())
            self._done = True
        return self._result

    def status(self) -> Any:
        return self.inner.status()

    def done(self) -> bool:
        return self.inner.done()

    def running(self) -> bool:
        return self.inner.running()

    def cancelled(self) -> bool:
        return self.inner.cancelled()

    def in_final_state(self) -> bool:
        return self.inner.in_final_state()

    def cancel(self) -> Any:
        return self.inner.cancel()

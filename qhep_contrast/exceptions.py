"""Error hierarchy of qhep-contrast.

Every error the package raises derives from :class:`QHEPError` and from the builtin exception that
matches its meaning, so ``except ValueError`` in user code keeps working. Messages say what was expected,
what arrived, and how to fix it.
"""

from __future__ import annotations

__all__ = [
    "QHEPError",
    "ShapeError",
    "ConfigError",
    "UnsupportedInstructionError",
    "UnboundParameterError",
    "CircuitError",
    "DependencyError",
    "BackendError",
    "CredentialsError",
    "DataError",
    "SchemaError",
    "DataFileNotFoundError",
    "CorruptFileError",
    "DataWriteError",
    "OutputExistsError",
    "CheckpointError",
    "InputValueError",
    "TrainingDivergedError",
    "RunFolderBusyError",
]


class QHEPError(Exception):
    """Root of every error raised by qhep-contrast."""


class ShapeError(QHEPError, ValueError):
    """A tensor or array has the wrong rank, shape or dtype."""


class ConfigError(QHEPError, ValueError):
    """A configuration value is unknown, of the wrong type, or out of range."""


class CircuitError(QHEPError, ValueError):
    """A circuit or builder argument is invalid (wrong qubit count, parameter mismatch, ...)."""


class UnsupportedInstructionError(QHEPError, NotImplementedError):
    """An executor cannot run an instruction of the circuit (e.g. the exact engine and a measurement)."""


class UnboundParameterError(QHEPError, ValueError):
    """A circuit parameter is neither an input nor a weight, so it has no value at run time."""


class DependencyError(QHEPError, ImportError):
    """An optional dependency is missing; the message names the extra that installs it."""


class BackendError(QHEPError, RuntimeError):
    """A simulator or quantum backend failed or is unavailable."""


class CredentialsError(QHEPError, PermissionError):
    """No usable IBM Quantum account; the message says how to save one (never shows a token)."""


class DataError(QHEPError):
    """Base of data-loading errors; concrete subclasses also inherit a builtin."""


class SchemaError(DataError, ValueError):
    """A data file does not follow its schema (missing key, wrong shape/dtype, bad values or labels)."""


class DataFileNotFoundError(DataError, FileNotFoundError):
    """A data file or folder does not exist."""


class CorruptFileError(DataError, OSError):
    """A data file exists but cannot be read (truncated, not HDF5, not IDX, ...)."""


class DataWriteError(DataError, OSError):
    """A data file could not be written (disk full, file-size limit, read-only folder, ...)."""


class OutputExistsError(DataError, FileExistsError):
    """An output file (or a partial file of an interrupted run) exists and would be overwritten."""


class CheckpointError(QHEPError, RuntimeError):
    """A checkpoint or run folder is missing, incomplete, or does not match the configuration."""


class InputValueError(QHEPError, ValueError):
    """A tensor has the expected shape but values outside the allowed set (labels, indices, norms)."""


class TrainingDivergedError(QHEPError, ArithmeticError):
    """The loss or the weights became NaN or infinite; the message names the epoch and step."""


class RunFolderBusyError(CheckpointError):
    """Another process is writing the same run folder."""

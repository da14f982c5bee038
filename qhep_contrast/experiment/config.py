"""The run configuration: one frozen dataclass per TOML table, tagged tables read from the registries.

A configuration file (``runs/configs/<experiment>.toml``) names every choice of a run. Missing keys take
the defaults below; unknown keys, wrong types and out-of-range values raise
:class:`~qhep_contrast.exceptions.ConfigError` (with a did-you-mean suggestion for misspelt keys).
:func:`load_config` reads a file (following an optional top-level ``base = "other.toml"``, whose tables are
merged underneath), applies ``--set a.b=value`` overrides (:func:`apply_overrides`) and checks the
combination (:func:`validate`) with the entries' traits: e.g. a fidelity loss needs ``model.output = "state"``.

Tagged tables pick a registered entry by name and accept exactly that entry's keys (``qhep list`` shows
them all):

=====================  ==========  ====================================================================
table                  tag         registry
=====================  ==========  ====================================================================
``[data]``             dataset     :data:`qhep_contrast.data.sources.DATASETS` (plus common image keys)
``[views]``            kind        :data:`qhep_contrast.data.augmentations.VIEWS`
``[objective]``        name        :data:`qhep_contrast.objectives.OBJECTIVES` (default: the loss's own)
``[circuit.encoder]``  name        :data:`qhep_contrast.circuits.selectable.ENCODERS`
``[circuit.ansatz]``   name        :data:`qhep_contrast.circuits.selectable.ANSATZE`
``[model]``            kind        :data:`qhep_contrast.models.MODELS`
``[loss]``             name        :data:`qhep_contrast.losses.LOSSES`
``[optimizer]``        name        :data:`qhep_contrast.optim.OPTIMIZERS`
``[scheduler]``        name        :data:`qhep_contrast.optim.SCHEDULERS`
``[execution]``        kind        :data:`qhep_contrast.execution.registry.EXECUTORS`
=====================  ==========  ====================================================================

Plain tables: ``[circuit]`` (``num_qubits``), ``[train]``, ``[eval]``, ``[compare]``.
"""

from __future__ import annotations

import copy
import dataclasses
import functools
import re
import tomllib
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qhep_contrast.circuits.selectable import ANSATZE, ENCODERS
from qhep_contrast.data.augmentations import VIEWS
from qhep_contrast.data.sources import DATASETS
from qhep_contrast.exceptions import ConfigError
from qhep_contrast.execution.registry import EXECUTORS
from qhep_contrast.losses.registry import LOSSES
from qhep_contrast.models.registry import MODELS
from qhep_contrast.objectives.registry import OBJECTIVES
from qhep_contrast.optim.registry import OPTIMIZERS, SCHEDULERS
from qhep_contrast.options import Selection, option, section_from_dict, section_to_dict, tagged

__all__ = [
    "MAX_EXACT_QUBITS",
    "MAX_SEED",
    "CircuitConfig",
    "TrainConfig",
    "EvalConfig",
    "CompareConfig",
    "STUDY_CONTROLS",
    "RunConfig",
    "config_from_dict",
    "config_to_dict",
    "read_config_tree",
    "apply_overrides",
    "load_config",
    "validate",
]

MAX_EXACT_QUBITS = 20
"""Widest circuit trained on the exact engine: a 20-qubit complex64 state is 8 MiB per sample."""

MAX_SEED = 2**32 - 1
"""Largest run seed (numpy's and torch's generators take 32-bit seeds)."""

_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


@dataclass(frozen=True)
class CircuitConfig:
    """``[circuit]``: ``compose(encoder(num_qubits, ...), ansatz(num_qubits, ...))`` from two tagged sub-tables."""

    num_qubits: int = option(8, low=1, high=MAX_EXACT_QUBITS,
                             help=f"the exact engine trains at most {MAX_EXACT_QUBITS} qubits")
    encoder: Selection = tagged(ENCODERS, "angle_encoder", help="[circuit.encoder] name = ... and its keys")
    ansatz: Selection = tagged(ANSATZE, "hardware_efficient", help="[circuit.ansatz] name = ... and its keys")


@dataclass(frozen=True)
class TrainConfig:
    """``[train]``: the fit loop."""

    epochs: int = option(10, low=1, high=100_000)
    patience: int = option(0, low=0, help="early stopping after this many epochs without improvement (0: off)")
    min_delta: float = option(0.0, low=0.0, help="smallest validation-loss decrease that counts")
    grad_clip: float = option(0.0, low=0.0, help="clip the gradient norm to this (0: off)")
    device: str = option("auto", choices=("auto", "cpu", "cuda"))
    threads: int = option(0, low=0, help="torch CPU threads (0: every core available to the process)")
    progress: bool = option(True, help="tqdm progress bars")
    evaluate: bool = option(True, help="evaluate the best checkpoint on the test split after training")


@dataclass(frozen=True)
class EvalConfig:
    """``[eval]``: frozen-embedding evaluation on the test split."""

    probe_c: float = option(1.0, low=0.0, low_open=True, help="inverse L2 strength of the logistic probe")
    knn_k: int = option(15, low=1)
    efficiencies: list[float] = option([0.3, 0.5], low=0.0, high=1.0, low_open=True,
                                       help="signal efficiencies of the background-rejection working points")
    plots: bool = option(True)
    tsne: bool = option(False, help="also a t-SNE embedding plot (slow)")
    fidelity_pairs: int = option(1000, low=2, help="labelled test pairs for the fidelity histograms (state "
                                 "outputs) and the pair accuracy (contrastive pair loss)")


STUDY_CONTROLS: tuple[str, ...] = ("frozen_circuit", "product_standin", "equal_width_twin", "matched_twin")
"""Controls ``qhep compare`` can train beside a hybrid (``model.control`` values, and ``model.twin = true``)."""


@dataclass(frozen=True)
class CompareConfig:
    """``[compare]``: ``twin``: ``qhep train`` also trains the parameter-matched twin and prints both results;
    ``seeds``, ``controls``, ``jobs``: the defaults of ``qhep compare`` (the hybrid and its controls over seeds)."""

    twin: bool = option(False, help="qhep train: also train the parameter-matched classical twin")
    seeds: int = option(5, low=1, high=1000, help="qhep compare: training seeds per model (seed, seed + 1, ...)")
    controls: list[str] = option(list(STUDY_CONTROLS), choices=STUDY_CONTROLS,
                                 help="qhep compare: controls trained beside the hybrid")
    jobs: int = option(0, low=0, high=256, help="qhep compare: runs in parallel (0: one per core, at most 4)")


@dataclass(frozen=True)
class RunConfig:
    """A whole run configuration (the top level of the TOML file)."""

    experiment: str = option("experiment", help="name of the runs/<experiment>/ folder")
    description: str = option("")
    seed: int = option(0, low=0, high=MAX_SEED)
    data: Selection = tagged(DATASETS, "quark_gluon", help="which images, preprocessing, split, batch sizes")
    views: Selection = tagged(VIEWS, "jet", help="random augmentations that make the views of an image")
    objective: Selection = tagged(OBJECTIVES, "two_views", help="how images become batches (default: the loss's)")
    circuit: CircuitConfig = option(CircuitConfig())
    model: Selection = tagged(MODELS, "hybrid_cnn", help="the architecture")
    loss: Selection = tagged(LOSSES, "nt_xent", help="the training loss")
    optimizer: Selection = tagged(OPTIMIZERS, "adamw")
    scheduler: Selection = tagged(SCHEDULERS, "none", help="learning-rate schedule, stepped once per epoch")
    train: TrainConfig = option(TrainConfig())
    eval: EvalConfig = option(EvalConfig())
    execution: Selection = tagged(EXECUTORS, "exact", help="where the circuits run")
    compare: CompareConfig = option(CompareConfig())


def config_from_dict(values: dict[str, Any]) -> RunConfig:
    """Build and :func:`validate` a :class:`RunConfig` from nested dicts (a parsed TOML file).

    A missing ``[objective] name`` defaults to the loss's first supported objective.
    """
    return validate(section_from_dict(RunConfig, _default_objective(values)))


def _default_objective(values: dict[str, Any]) -> dict[str, Any]:
    objective = values.get("objective", {})
    if not isinstance(objective, dict) or "name" in objective:
        return values
    loss = values.get("loss", {})
    name = loss.get("name", "nt_xent") if isinstance(loss, dict) else "nt_xent"
    if name not in LOSSES:
        return values  # the [loss] table reports the unknown name
    return {**values, "objective": {**objective, "name": LOSSES.traits(name).objectives[0]}}


def config_to_dict(config: RunConfig) -> dict[str, Any]:
    """The configuration as nested dicts, every value resolved (written to the run folder)."""
    return section_to_dict(config)


def read_config_tree(path: str | Path) -> dict[str, Any]:
    """Parse a TOML configuration file, merging it over its ``base`` file(s) when it names one.

    ``base = "other.toml"`` (relative to the file) loads that file first; this file's tables and keys
    override it key by key (tables merge recursively, lists and scalars replace).

    Raises:
        ConfigError: the file is missing, not valid TOML, or the ``base`` chain loops.
    """
    return _read_tree(Path(path), ())


def _read_tree(path: Path, seen: tuple[Path, ...]) -> dict[str, Any]:
    resolved = path.resolve()
    if resolved in seen:
        raise ConfigError(f"configuration {path} is its own base (chain {' -> '.join(map(str, seen))}).")
    if not path.is_file():
        raise ConfigError(f"configuration file {path} does not exist; configs live in runs/configs/*.toml.")
    try:
        tree = tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as err:
        raise ConfigError(f"{path} is not valid TOML: {err}.") from err
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path} is not UTF-8 text ({err.reason} at byte {err.start}); save it as UTF-8.") from err
    base = tree.pop("base", None)
    if base is None:
        return tree
    if not isinstance(base, str):
        raise ConfigError(f"{path}: base must be a file name string, got {base!r}.")
    return _merge(_read_tree(path.parent / base, (*seen, resolved)), tree)


@functools.cache
def _tag_keys(section: type = RunConfig, prefix: str = "") -> dict[str, str]:
    """Dotted table path -> tag key of every tagged table (``{"loss": "name", "circuit.encoder": "name", ...}``)."""
    out, hints = {}, typing.get_type_hints(section)
    for fld in dataclasses.fields(section):
        path = f"{prefix}{fld.name}"
        if "registry" in fld.metadata:
            out[path] = fld.metadata["registry"].tag
        elif dataclasses.is_dataclass(hints[fld.name]):
            out.update(_tag_keys(hints[fld.name], f"{path}."))
    return out


def _renames_entry(path: str, under: Any, over: Any) -> bool:
    """``over`` picks another entry of the tagged table at ``path`` than ``under`` (so it replaces it)."""
    tag = _tag_keys().get(path)
    return (tag is not None and isinstance(under, dict) and isinstance(over, dict) and tag in over
            and over[tag] != under.get(tag))


def _merge(under: dict[str, Any], over: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    out = copy.deepcopy(under)
    for key, value in over.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict) and isinstance(out.get(key), dict) and not _renames_entry(path, out[key], value):
            out[key] = _merge(out[key], value, f"{path}.")
        else:
            out[key] = copy.deepcopy(value)
    return out


def apply_overrides(tree: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``key.path=value`` overrides to a parsed configuration (returns a new dict).

    The value is read as a TOML value (``3``, ``0.5``, ``true``, ``"text"``, ``[16, 32]``); anything that
    is not valid TOML is taken as a bare string (``--set data.dataset=digits``). Types and ranges are
    checked afterwards by :func:`config_from_dict`, against the same schema as the file. Setting a tagged
    table's tag to another entry (``--set loss.name=triplet``) starts that table afresh, since the old
    entry's keys do not apply to the new one.

    Raises:
        ConfigError: an override without ``=``, or a path through a value that is not a table.
    """
    out = copy.deepcopy(tree)
    for item in overrides:
        key, sep, raw = item.partition("=")
        key = key.strip()
        if not sep or not key:
            raise ConfigError(f"--set expects key=value (e.g. --set train.epochs=3), got {item!r}.")
        node = out
        parts = key.split(".")
        for depth, part in enumerate(parts[:-1]):
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise ConfigError(f"--set {item!r}: {'.'.join(parts[:depth + 1])} is a value, not a table.")
            node = child
        value = _parse_value(raw.strip())
        table = ".".join(parts[:-1])
        if _renames_entry(table, node, {parts[-1]: value}):
            node.clear()
        node[parts[-1]] = value
    return out


def _parse_value(raw: str) -> Any:
    try:
        return tomllib.loads(f"v = {raw}")["v"]
    except tomllib.TOMLDecodeError:
        return raw


def load_config(path: str | Path, overrides: list[str] | None = None) -> RunConfig:
    """Read, override and validate a configuration file.

    Args:
        path: the TOML file.
        overrides: ``["train.epochs=2", ...]`` (see :func:`apply_overrides`).

    Raises:
        ConfigError: anything wrong with the file, an override, or the combination of values.
    """
    return config_from_dict(apply_overrides(read_config_tree(path), list(overrides or [])))


def validate(config: RunConfig) -> RunConfig:
    """Check the combination of values that single tables cannot, from the entries' traits.

    Raises:
        ConfigError: with the offending keys and the fix.
    """
    _check_name(config.experiment)
    _check_loss_and_model(config)
    _check_views(config)
    return config


def _check_name(experiment: str) -> None:
    if not _NAME.match(experiment) or set(experiment) <= {"."}:
        raise ConfigError(f"experiment must be a folder name of letters, digits, '_', '.', '-' that does not start "
                          f"with '.' or '-', got {experiment!r}.")


def _check_loss_and_model(config: RunConfig) -> None:
    loss = LOSSES.traits(config.loss.name)
    if config.objective.name not in loss.objectives:
        raise ConfigError(f"objective.name = {config.objective.name!r} does not feed loss {config.loss.name!r}, which "
                          f"takes {' or '.join(repr(o) for o in loss.objectives)}; remove [objective] name or pick one "
                          "of those.")
    output = getattr(config.model.options, "output", "expectation")
    if loss.inputs == "states" and output != "state":
        raise ConfigError(f"loss.name = {config.loss.name!r} compares quantum states and needs model.output = "
                          f"\"state\", got {output!r}.")
    if loss.inputs != "states" and output == "state":
        raise ConfigError(f"model.output = \"state\" gives complex statevectors, which loss {config.loss.name!r} "
                          f"cannot use; pick a loss that compares states ({', '.join(_state_losses())}), or output = "
                          "\"expectation\".")
    executor = EXECUTORS.traits(config.execution.name)
    if output not in executor.outputs:
        raise ConfigError(f"model.output = {output!r} cannot run on execution.kind = {config.execution.name!r} "
                          f"(it computes {', '.join(executor.outputs)}); use the exact executor.")


def _state_losses() -> list[str]:
    return [e.name for e in LOSSES.entries() if e.traits.inputs == "states"]


def _check_views(config: RunConfig) -> None:
    traits = OBJECTIVES.traits(config.objective.name)
    if config.data.batch_size < traits.min_batch:
        raise ConfigError(f"data.batch_size = {config.data.batch_size} is too small for objective "
                          f"{config.objective.name!r}: each sample needs other samples of its batch as negatives; "
                          f"set data.batch_size >= {traits.min_batch} (64 or more trains well).")
    if config.views.name == "none" and traits.needs_views(config.objective.options):
        raise ConfigError(f"objective {config.objective.name!r} (loss {config.loss.name!r}) compares random views of "
                          "each image but views.kind = \"none\"; set views.kind = \"jet\" or \"digit\".")

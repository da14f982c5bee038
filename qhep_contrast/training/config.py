"""The run configuration: one frozen dataclass per TOML table, validated on load.

A configuration file (``runs/configs/<experiment>.toml``) names every choice of a run. Missing keys take
the defaults below; unknown keys, wrong types and out-of-range values raise
:class:`~qhep_contrast.exceptions.ConfigError` (with a did-you-mean suggestion for misspelt keys).
:func:`load_config` reads a file (following an optional top-level ``base = "other.toml"``, whose tables are
merged underneath), applies ``--set a.b=value`` overrides (:func:`apply_overrides`) and checks the
combination (:func:`validate`): e.g. fidelity losses need ``model.output = "state"``.

Tables: ``[data]`` (which images, preprocessing, split, batch sizes), ``[views]`` (augmentations for
contrastive views), ``[pairs]`` (pair/triplet sampling), ``[circuit]`` (encoder + ansatz builders from
:mod:`qhep_contrast.circuits`), ``[model]`` (front-end, head, projection, classical twin switch),
``[loss]``, ``[optimizer]``, ``[scheduler]``, ``[train]`` (epochs, early stopping, device, threads),
``[eval]`` (linear probe, kNN, rejection working points, plots), ``[execution]`` and ``[compare]``.
"""

from __future__ import annotations

import copy
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qhep_contrast.exceptions import ConfigError
from qhep_contrast.training.config_fields import option, section_from_dict, section_to_dict

__all__ = [
    "MAX_EXACT_QUBITS",
    "DATASETS",
    "LOSSES",
    "TWO_VIEW_LOSSES",
    "FIDELITY_LOSSES",
    "DataConfig",
    "ViewsConfig",
    "PairsConfig",
    "CircuitConfig",
    "ModelConfig",
    "LossConfig",
    "OptimizerConfig",
    "SchedulerConfig",
    "TrainConfig",
    "EvalConfig",
    "ExecutionSection",
    "CompareConfig",
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

DATASETS = ("quark_gluon", "egamma", "egamma_toy", "digits", "mnist")
TWO_VIEW_LOSSES = ("nt_xent", "fidelity_infonce", "combined_fidelity")
FIDELITY_LOSSES = ("fidelity_infonce", "combined_fidelity")
LOSSES = (*TWO_VIEW_LOSSES, "contrastive_pair", "triplet")
_NAME = re.compile(r"^[A-Za-z0-9_.-]+$")


@dataclass(frozen=True)
class DataConfig:
    """``[data]``: which images, how they are preprocessed, split and batched."""

    dataset: str = option("quark_gluon", choices=DATASETS, help="data source")
    paths: list[str] = option([], help='HDF5 files ("shipped" or none for quark_gluon: the jet file shipped '
                                       'with the package); for mnist the folder of the IDX files')
    classes: list[int] = option([], low=0, help="digits/mnist classes to keep (empty: all)")
    channels: list[str] = option([], help="HDF5 channels to keep by name (empty: all)")
    limit: int = option(0, low=0, help="use a stratified subsample of this many images (0: all)")
    crop: int = option(0, low=0, help="centre-crop size in pixels (0: none)")
    image_size: int = option(0, low=0, help="area-resize to this many pixels per side (0: keep)")
    log_scale: float = option(0.0, low=0.0, help="log(1 + x / s) with this s (0: none)")
    normalize: str = option("channel", choices=("channel", "image", "none"), help="divide by the maximum")
    split: list[float] = option([0.6, 0.2, 0.2], low=0.0, high=1.0, low_open=True,
                                help="train/validation/test fractions")
    toy_samples: int = option(2000, low=4, help="egamma_toy: number of showers generated on the fly")
    batch_size: int = option(64, low=1)
    eval_batch_size: int = option(256, low=1)


@dataclass(frozen=True)
class ViewsConfig:
    """``[views]``: random augmentations that make the two views of an image (SimCLR)."""

    kind: str = option("jet", choices=("jet", "digit", "none"), help="augmentation family")
    rotation: str = option("any", choices=("any", "90", "none"), help="jet rotations about the jet axis")
    flips: bool = option(True, help="jet reflections in eta and phi")
    max_shift: int = option(1, low=0, help="jet translations in whole pixels")
    dropout: float = option(0.0, low=0.0, high=1.0, high_open=True, help="jet pixel-dropout probability")
    smear: float = option(0.0, low=0.0, help="jet log-normal energy smearing sigma")
    max_degrees: float = option(15.0, low=0.0, high=180.0, help="digit rotation range")
    affine_shift: float = option(1.0, low=0.0, help="digit translation range in pixels")
    noise: float = option(0.05, low=0.0, help="digit Gaussian noise std")


@dataclass(frozen=True)
class PairsConfig:
    """``[pairs]``: sampling of labelled pairs (``contrastive_pair``) and triplets (``triplet``)."""

    per_epoch: int = option(0, low=0, help="pairs/triplets drawn per epoch (0: one per training image)")
    positive: str = option("class", choices=("class", "view"), help="same class, or two views of one image")
    negative: str = option("class", choices=("class", "any"), help="other class, or any other image")


@dataclass(frozen=True)
class CircuitConfig:
    """``[circuit]``: ``compose(encoder(num_qubits, **encoder_args), ansatz(num_qubits, **ansatz_args))``."""

    encoder: str = option("angle_encoder", choices=("angle_encoder", "reuploading_encoder", "token_loader"))
    ansatz: str = option("hardware_efficient", choices=("hardware_efficient", "qcnn", "none"))
    num_qubits: int = option(8, low=1, high=MAX_EXACT_QUBITS,
                             help=f"the exact engine trains at most {MAX_EXACT_QUBITS} qubits")
    encoder_args: dict[str, Any] = option({}, help="keyword arguments of the encoder builder")
    ansatz_args: dict[str, Any] = option({}, help="keyword arguments of the ansatz builder")


@dataclass(frozen=True)
class ModelConfig:
    """``[model]``: ``ConvFrontEnd -> AngleScaling -> QuantumLayer -> head`` (+ projection head)."""

    twin: bool = option(False, help="replace the quantum layer by its parameter-matched classical twin")
    output: str = option("expectation", choices=("expectation", "state", "probabilities"))
    conv_channels: list[int] = option([16, 32], low=1)
    kernel_size: int = option(3, low=1)
    pool_size: int = option(2, low=1)
    dense_units: int = option(32, low=1)
    head_units: list[int] = option([], low=1, help="dense ReLU layers after the quantum layer")
    scaling: str = option("tanh", choices=("tanh", "sigmoid", "identity"))
    scale: float = option(math.pi, low=0.0, low_open=True)
    init: str = option("uniform", choices=("uniform", "normal", "zeros"))
    init_scale: float = option(math.pi, low=0.0, low_open=True)
    projection_dim: int = option(0, low=0, help="SimCLR projection head width (0: no projection head)")
    projection_layers: int = option(2, low=1)
    twin_tolerance: float = option(0.05, low=0.0, high=1.0, high_open=True,
                                   help="allowed relative parameter-count mismatch of the twin")


@dataclass(frozen=True)
class LossConfig:
    """``[loss]``: the objective (see :mod:`qhep_contrast.losses`)."""

    name: str = option("nt_xent", choices=LOSSES)
    temperature: float = option(0.5, low=0.0, low_open=True, help="InfoNCE temperature tau > 0")
    margin: float = option(1.0, low=0.0, help="contrastive/triplet margin >= 0")
    alpha: float = option(0.5, low=0.0, high=1.0, help="combined_fidelity: weight of the InfoNCE term")
    similarity: str = option("fidelity", choices=("fidelity", "log_fidelity"))
    eps: float = option(1e-4, low=0.0, high=1.0, low_open=True, high_open=True)
    squared: bool = option(False, help="triplet: squared distances")


@dataclass(frozen=True)
class OptimizerConfig:
    """``[optimizer]``: ``torch.optim`` AdamW, Adam or SGD."""

    name: str = option("adamw", choices=("adamw", "adam", "sgd"))
    lr: float = option(1e-3, low=0.0, low_open=True)
    quantum_lr: float = option(0.0, low=0.0, help="learning rate of the circuit weights (0: same as lr)")
    weight_decay: float = option(0.01, low=0.0)
    betas: list[float] = option([0.9, 0.999], low=0.0, high=1.0, high_open=True)
    momentum: float = option(0.9, low=0.0, high=1.0, high_open=True, help="sgd only")


@dataclass(frozen=True)
class SchedulerConfig:
    """``[scheduler]``: learning-rate schedule, stepped once per epoch."""

    name: str = option("none", choices=("none", "cosine", "step"))
    step_size: int = option(10, low=1, help="step: epochs between decays")
    gamma: float = option(0.5, low=0.0, high=1.0, low_open=True, help="step: decay factor")
    min_lr: float = option(0.0, low=0.0, help="cosine: final learning rate")


@dataclass(frozen=True)
class TrainConfig:
    """``[train]``: the fit loop."""

    epochs: int = option(10, low=1)
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


@dataclass(frozen=True)
class ExecutionSection:
    """``[execution]``: where the circuit runs during training. Training runs on the exact engine; a trained
    run is evaluated on Aer or IBM primitives with ``qhep eval RUN_DIR --execution aer|ibm``."""

    kind: str = option("exact", choices=("exact",), help="training executor (evaluate elsewhere with qhep eval)")


@dataclass(frozen=True)
class CompareConfig:
    """``[compare]``: also train the classical twin after the hybrid and print both results."""

    twin: bool = option(False)


@dataclass(frozen=True)
class RunConfig:
    """A whole run configuration (the top level of the TOML file)."""

    experiment: str = option("experiment", help="name of the runs/<experiment>/ folder")
    description: str = option("")
    seed: int = option(0, low=0)
    data: DataConfig = option(DataConfig())
    views: ViewsConfig = option(ViewsConfig())
    pairs: PairsConfig = option(PairsConfig())
    circuit: CircuitConfig = option(CircuitConfig())
    model: ModelConfig = option(ModelConfig())
    loss: LossConfig = option(LossConfig())
    optimizer: OptimizerConfig = option(OptimizerConfig())
    scheduler: SchedulerConfig = option(SchedulerConfig())
    train: TrainConfig = option(TrainConfig())
    eval: EvalConfig = option(EvalConfig())
    execution: ExecutionSection = option(ExecutionSection())
    compare: CompareConfig = option(CompareConfig())


def config_from_dict(values: dict[str, Any]) -> RunConfig:
    """Build and :func:`validate` a :class:`RunConfig` from nested dicts (a parsed TOML file)."""
    return validate(section_from_dict(RunConfig, values))


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
    base = tree.pop("base", None)
    if base is None:
        return tree
    if not isinstance(base, str):
        raise ConfigError(f"{path}: base must be a file name string, got {base!r}.")
    return _merge(_read_tree(path.parent / base, (*seen, resolved)), tree)


def _merge(under: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = copy.deepcopy(under)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = copy.deepcopy(value)
    return out


def apply_overrides(tree: dict[str, Any], overrides: list[str]) -> dict[str, Any]:
    """Apply ``key.path=value`` overrides to a parsed configuration (returns a new dict).

    The value is read as a TOML value (``3``, ``0.5``, ``true``, ``"text"``, ``[16, 32]``); anything that
    is not valid TOML is taken as a bare string (``--set data.dataset=digits``). Types and ranges are
    checked afterwards by :func:`config_from_dict`, against the same schema as the file.

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
        node[parts[-1]] = _parse_value(raw.strip())
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
    """Check the combination of values that single fields cannot; return ``config`` unchanged.

    Raises:
        ConfigError: with the offending keys and the fix.
    """
    _check_names(config)
    _check_data(config.data)
    _check_loss_and_model(config)
    return config


def _check_names(config: RunConfig) -> None:
    if not _NAME.match(config.experiment):
        raise ConfigError(f"experiment must be a folder name of letters, digits, '_', '.', '-', got "
                          f"{config.experiment!r}.")


def _check_data(data: DataConfig) -> None:
    if len(data.split) != 3 or abs(sum(data.split) - 1.0) > 1e-6:
        raise ConfigError(f"data.split must be three fractions (train, validation, test) summing to 1, "
                          f"got {data.split}.")
    if data.dataset in ("egamma", "mnist") and not data.paths:
        what = "the folder of the IDX files" if data.dataset == "mnist" else "the HDF5 files"
        raise ConfigError(f"data.paths is empty but data.dataset = {data.dataset!r} reads files; list {what}.")
    if "shipped" in data.paths and data.dataset != "quark_gluon":
        raise ConfigError(f'data.paths = ["shipped"] names the shipped quark/gluon jet file, but data.dataset = '
                          f"{data.dataset!r}; set dataset = \"quark_gluon\" or give real paths.")
    if data.classes and data.dataset not in ("digits", "mnist"):
        raise ConfigError(f"data.classes selects digits/mnist classes, but data.dataset = {data.dataset!r}; "
                          "remove it.")


def _check_loss_and_model(config: RunConfig) -> None:
    loss, model = config.loss, config.model
    fidelity = loss.name in FIDELITY_LOSSES
    if fidelity and model.output != "state":
        raise ConfigError(f"loss.name = {loss.name!r} compares quantum states and needs model.output = \"state\", "
                          f"got {model.output!r}.")
    if not fidelity and model.output == "state":
        raise ConfigError(f"model.output = \"state\" gives complex statevectors, which loss {loss.name!r} cannot "
                          "use; pick fidelity_infonce or combined_fidelity, or output = \"expectation\".")
    if model.output == "state" and (model.head_units or model.projection_dim):
        raise ConfigError("model.output = \"state\" feeds statevectors straight to the fidelity loss: set "
                          "model.head_units = [] and model.projection_dim = 0.")
    needs_views = loss.name in TWO_VIEW_LOSSES or (loss.name == "contrastive_pair" and
                                                   config.pairs.positive == "view")
    if needs_views and config.views.kind == "none":
        raise ConfigError(f"loss {loss.name!r} compares two random views of each image but views.kind = \"none\"; "
                          "set views.kind = \"jet\" or \"digit\".")
    if loss.name == "contrastive_pair" and loss.margin <= 0:
        raise ConfigError(f"loss.margin must be > 0 for contrastive_pair (dissimilar pairs are pushed to the "
                          f"margin), got {loss.margin}.")

"""qhep_contrast.data: readers, preprocessing and contrastive views/pairs.

Readers return torch ``Dataset``s whose items are ``(image (C, H, W) float32, label int64)`` and which
expose ``labels``, ``num_classes`` and ``image_shape`` (see :mod:`qhep_contrast.data.base`).
"""

from qhep_contrast.data.base import LabelledImageDataset, LabelledSubset, subset
from qhep_contrast.data.hdf5 import ChunkedRows
from qhep_contrast.data.hdf5_images import HDF5ImageDataset, ImageSchema
from qhep_contrast.data.egamma import EGAMMA_SCHEMA, ElectronPhotonDataset
from qhep_contrast.data.quark_gluon import QUARK_GLUON_SCHEMA, QuarkGluonDataset
from qhep_contrast.data.mnist import MNISTDataset, read_idx
from qhep_contrast.data.digits import DigitsDataset
from qhep_contrast.data.in_memory import InMemoryImageDataset, select_classes
from qhep_contrast.data.splits import balanced_subsample, split_counts, stratified_split
from qhep_contrast.data.samplers import BlockShuffleSampler
from qhep_contrast.data.preprocess import (
    AngleScaler,
    CenterCrop,
    area_matrix,
    LogScale,
    NormalizeMax,
    Preprocess,
    Resize,
    arctan_angles,
    center_crop,
    log_scale,
    minmax_angles,
    normalize_max,
    resize_area,
)
from qhep_contrast.data.views import (
    Augment,
    EnergySmear,
    GaussianNoise,
    PixelDropout,
    RandomAffine,
    RandomFlip,
    RandomRotation,
    RandomRotation90,
    RandomTranslate,
    TwoViewDataset,
    affine_resample,
    digit_augment,
    flip_eta,
    flip_phi,
    item_generator,
    jet_augment,
    make_views,
    rotate,
    rotate90,
    translate,
)
from qhep_contrast.data.pairs import PairDataset, Pairs, TripletDataset, Triplets, sample_pairs, sample_triplets

__all__ = [
    # datasets
    "LabelledImageDataset",
    "LabelledSubset",
    "subset",
    "ChunkedRows",
    "HDF5ImageDataset",
    "ImageSchema",
    "EGAMMA_SCHEMA",
    "ElectronPhotonDataset",
    "QUARK_GLUON_SCHEMA",
    "QuarkGluonDataset",
    "MNISTDataset",
    "read_idx",
    "DigitsDataset",
    "InMemoryImageDataset",
    "select_classes",
    # splits and sampling
    "stratified_split",
    "balanced_subsample",
    "split_counts",
    "BlockShuffleSampler",
    # preprocessing
    "Preprocess",
    "CenterCrop",
    "Resize",
    "NormalizeMax",
    "LogScale",
    "center_crop",
    "resize_area",
    "area_matrix",
    "normalize_max",
    "log_scale",
    "minmax_angles",
    "arctan_angles",
    "AngleScaler",
    # contrastive views, pairs, triplets
    "Augment",
    "RandomRotation",
    "RandomRotation90",
    "RandomFlip",
    "RandomTranslate",
    "PixelDropout",
    "EnergySmear",
    "RandomAffine",
    "GaussianNoise",
    "jet_augment",
    "digit_augment",
    "make_views",
    "rotate",
    "rotate90",
    "flip_eta",
    "flip_phi",
    "translate",
    "affine_resample",
    "item_generator",
    "TwoViewDataset",
    "Pairs",
    "Triplets",
    "sample_pairs",
    "sample_triplets",
    "PairDataset",
    "TripletDataset",
]

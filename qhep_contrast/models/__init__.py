"""Models: classical front-ends, hybrid encoders, classical twins, projection heads, Siamese wrappers.

:data:`MODELS` lists the model kinds selectable in ``[model] kind = "..."``; each module that registers one
is discovered, so a new model kind is one new file here plus its test.
"""

from qhep_contrast.models.angle_scaling import AngleScaling, ScalingMode
from qhep_contrast.models.circuit_weights import circuit_weights
from qhep_contrast.models.classical_twin import (
    TwinMLP,
    classical_twin,
    count_parameters,
    matched_hidden_width,
    mlp_parameter_count,
)
from qhep_contrast.models.frontends import ConvFrontEnd, conv_feature_shape
from qhep_contrast.models.hybrid_cnn import HybridCNNOptions, build_hybrid_cnn
from qhep_contrast.models.hybrid_encoder import HybridEncoder, build_hybrid_encoder, core_shape
from qhep_contrast.models.projection import ProjectionHead
from qhep_contrast.models.qssl_classifier import QSSLClassifier, QSSLClassifierOptions, build_qssl_classifier
from qhep_contrast.models.registry import MODELS, ModelTraits
from qhep_contrast.models.siamese import SiameseEncoder

__all__ = [
    "MODELS",
    "HybridCNNOptions",
    "ModelTraits",
    "build_hybrid_cnn",
    "circuit_weights",
    "AngleScaling",
    "ConvFrontEnd",
    "HybridEncoder",
    "ProjectionHead",
    "QSSLClassifier",
    "QSSLClassifierOptions",
    "build_qssl_classifier",
    "ScalingMode",
    "SiameseEncoder",
    "TwinMLP",
    "build_hybrid_encoder",
    "classical_twin",
    "conv_feature_shape",
    "core_shape",
    "count_parameters",
    "matched_hidden_width",
    "mlp_parameter_count",
]

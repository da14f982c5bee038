"""Models: classical front-ends, hybrid encoders, classical twins, projection heads, Siamese wrappers."""

from qhep_contrast.models.angle_scaling import AngleScaling, ScalingMode
from qhep_contrast.models.classical_twin import (
    TwinMLP,
    classical_twin,
    count_parameters,
    matched_hidden_width,
    mlp_parameter_count,
)
from qhep_contrast.models.frontends import ConvFrontEnd, conv_feature_shape
from qhep_contrast.models.hybrid_encoder import HybridEncoder, build_hybrid_encoder, core_shape
from qhep_contrast.models.projection import ProjectionHead
from qhep_contrast.models.siamese import SiameseEncoder

__all__ = [
    "AngleScaling",
    "ConvFrontEnd",
    "HybridEncoder",
    "ProjectionHead",
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

"""SimCLR-style MLP projection head."""

from __future__ import annotations

from torch import Tensor, nn

from qhep_contrast._checks import check_int
from qhep_contrast.models._dense import dense_stack
from qhep_contrast.models._seeding import seeded

__all__ = ["ProjectionHead"]


class ProjectionHead(nn.Module):
    """``g(h) = W_L ReLU(... ReLU(W_1 h))``: the MLP between representation and contrastive loss.

    SimCLR (T. Chen et al., ICML 2020, sec. 2.1) applies the loss to ``z = g(h)`` with a 2-layer MLP ``g``
    and finds the representation ``h`` before ``g`` better for downstream tasks; this head is that ``g``
    (``num_layers`` linear layers, ReLU between them, none after the last; optional ``BatchNorm1d`` before
    each ReLU as in SimCLR v2).

    Args:
        in_features: width of the representation ``h``.
        hidden_features: width of the hidden layers (default ``in_features``).
        out_features: width of ``z`` (default ``in_features``).
        num_layers: number of linear layers, ``>= 1``.
        batch_norm: add ``BatchNorm1d`` before each ReLU.
        seed: seeds the initial weights.

    Shapes:
        ``(B, in_features)`` -> ``(B, out_features)``.
    """

    def __init__(self, in_features: int, hidden_features: int | None = None, out_features: int | None = None,
                 *, num_layers: int = 2, batch_norm: bool = False, seed: int | None = None) -> None:
        super().__init__()
        owner = type(self).__name__
        self.in_features = check_int(owner, "in_features", in_features)
        hidden = self.in_features if hidden_features is None else check_int(owner, "hidden_features",
                                                                            hidden_features)
        self.out_features = self.in_features if out_features is None else check_int(owner, "out_features",
                                                                                    out_features)
        layers = check_int(owner, "num_layers", num_layers)
        with seeded(seed):
            self.net = dense_stack(owner, self.in_features, [hidden] * (layers - 1) + [self.out_features],
                                   last_activation=False, batch_norm=batch_norm)

    def forward(self, representation: Tensor) -> Tensor:
        """Project ``(B, in_features)`` to ``(B, out_features)``."""
        return self.net(representation)

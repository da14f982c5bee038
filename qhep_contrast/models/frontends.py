"""Classical convolutional front-end that turns images into one number per circuit input."""

from __future__ import annotations

from collections.abc import Sequence
from typing import cast

from torch import Tensor, nn

from qhep_contrast._checks import check_int
from qhep_contrast.exceptions import ConfigError, ShapeError
from qhep_contrast.models._seeding import seeded

__all__ = ["ConvFrontEnd", "conv_feature_shape"]


def conv_feature_shape(image_size: tuple[int, int], num_convs: int, kernel_size: int,
                       pool_size: int) -> tuple[int, int]:
    """Spatial size after ``num_convs`` valid (unpadded, stride 1) convolutions with a max-pool after
    every convolution except the last: ``s -> s - k + 1`` per conv, ``s -> floor(s / p)`` per pool.

    Returns:
        ``(height, width)``; an entry ``<= 0`` means the image is too small for the stack.
    """
    sizes = list(image_size)
    for index in range(num_convs):
        sizes = [s - kernel_size + 1 for s in sizes]
        if index < num_convs - 1:
            sizes = [s // pool_size if s > 0 else s for s in sizes]
    return sizes[0], sizes[1]


class ConvFrontEnd(nn.Module):
    """The seed project's classical front-end, sizes configurable.

    ``Conv(c_1, k x k) -> ReLU -> MaxPool(p) -> Conv(c_2, k x k) -> ReLU -> Flatten -> Dense(d) -> ReLU ->
    Dense(out_features)`` with the defaults ``c = (32, 64)``, ``k = 3``, ``p = 2``, ``d = 64``. More (or
    fewer) convolutions follow the same pattern: a max-pool after every convolution except the last.
    Convolutions are unpadded with stride 1; the flatten width is
    ``c_last * H' * W'`` with ``(H', W')`` from :func:`conv_feature_shape`.

    Args:
        in_channels: channels of the input images (e.g. 2 for electron/photon, 3 for quark/gluon).
        image_size: ``(height, width)`` or one int for square images.
        out_features: width of the output, normally the circuit's ``num_inputs`` (one angle per input).
        conv_channels: output channels of each convolution.
        kernel_size: ``k``; pool_size: ``p``; dense_units: ``d``.
        seed: seeds the initial weights (``None``: torch's global generator).

    Shapes:
        Input ``(B, C, H, W)`` (channels first; ML4SCI files store ``(N, H, W, C)``: permute with
        ``x.permute(0, 3, 1, 2)``). Output ``(B, out_features)``, unbounded (see ``AngleScaling``).
    """

    def __init__(self, in_channels: int, image_size: int | tuple[int, int], out_features: int, *,
                 conv_channels: Sequence[int] = (32, 64), kernel_size: int = 3, pool_size: int = 2,
                 dense_units: int = 64, seed: int | None = None) -> None:
        super().__init__()
        owner = type(self).__name__
        self.in_channels = check_int(owner, "in_channels", in_channels)
        self.image_size = self._image_size(image_size)
        self.out_features = check_int(owner, "out_features", out_features)
        channels = [check_int(owner, f"conv_channels[{i}]", c) for i, c in enumerate(conv_channels)]
        if not channels:
            raise ConfigError(f"{owner}: conv_channels must list at least one convolution, got {conv_channels!r}.")
        kernel = check_int(owner, "kernel_size", kernel_size)
        pool = check_int(owner, "pool_size", pool_size)
        height, width = conv_feature_shape(self.image_size, len(channels), kernel, pool)
        if height <= 0 or width <= 0:
            raise ConfigError(f"{owner}: image_size {self.image_size} is too small for {len(channels)} "
                              f"convolutions of kernel {kernel} with max-pool {pool} (feature map would be "
                              f"{height} x {width}); use fewer conv_channels, a smaller kernel_size or pool_size.")
        self.flat_features = channels[-1] * height * width
        with seeded(seed):
            self.net = self._build(channels, kernel, pool, check_int(owner, "dense_units", dense_units))

    def _image_size(self, image_size: int | tuple[int, int]) -> tuple[int, int]:
        pair = (image_size, image_size) if isinstance(image_size, int) else tuple(image_size)
        if len(pair) != 2:
            raise ConfigError(f"{type(self).__name__}: image_size must be an int or (height, width), "
                              f"got {image_size!r}.")
        return (check_int(type(self).__name__, "image_size[0]", pair[0]),
                check_int(type(self).__name__, "image_size[1]", pair[1]))

    def _build(self, channels: list[int], kernel: int, pool: int, dense_units: int) -> nn.Sequential:
        layers: list[nn.Module] = []
        previous = self.in_channels
        for index, out_channels in enumerate(channels):
            layers += [nn.Conv2d(previous, out_channels, kernel), nn.ReLU()]
            if index < len(channels) - 1:
                layers.append(nn.MaxPool2d(pool))
            previous = out_channels
        layers += [nn.Flatten(), nn.Linear(self.flat_features, dense_units), nn.ReLU(),
                   nn.Linear(dense_units, self.out_features)]
        return nn.Sequential(*layers)

    def forward(self, images: Tensor) -> Tensor:
        """Map ``(B, C, H, W)`` images to ``(B, out_features)`` features."""
        expected = (self.in_channels, *self.image_size)
        if images.ndim != 4 or tuple(images.shape[1:]) != expected:
            hint = ""
            if images.ndim == 4 and tuple(images.shape[1:]) == (*self.image_size, self.in_channels):
                hint = " The input looks channels-last: pass images.permute(0, 3, 1, 2)."
            raise ShapeError(f"{type(self).__name__}: images must have shape (B, {expected[0]}, {expected[1]}, "
                             f"{expected[2]}), got {tuple(images.shape)}.{hint}")
        return self.net(images)

    @property
    def first_conv(self) -> nn.Conv2d:
        """The first convolution (its weight is the farthest parameter from the loss)."""
        return cast(nn.Conv2d, self.net[0])

"""An image pipeline that decodes nothing: a fake of ``archive.media_ports.ports.ImagePipeline`` for tests
that need images with known sizes through the real upload path, without Pillow's cost."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable

from archive.media_ports.ports import Derivative, ImagePipeline, ProcessedImage

#: The pipeline's renditions for a 2400 × 1800 original (name, width, height).
SIZES = (("thumb", 400, 300), ("display", 1200, 900), ("large", 2400, 1800))


class SizedImagePipeline(ImagePipeline):
    """Every upload becomes a WebP and a JPEG rendition of each of ``sizes``; the renditions'
    bytes name the rendition, and the original is taken to be as large as the largest."""

    def __init__(self, sizes: Iterable[tuple[str, int, int]] = SIZES):
        self.sizes = tuple(sizes)

    def ingest(self, data: bytes) -> ProcessedImage:
        derivatives = tuple(
            Derivative(name, fmt, width, height, f"{name}.{fmt}".encode())
            for name, width, height in self.sizes
            for fmt in ("webp", "jpeg")
        )
        width, height = max((w, h) for _, w, h in self.sizes)
        return ProcessedImage(hashlib.sha256(data).hexdigest(), len(data), "JPEG", width, height, derivatives)

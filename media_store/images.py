"""The ``ImagePipeline`` on Pillow: validate an upload by content, then make clean derivatives.

Every derivative is re-encoded from pixels only: no EXIF (so no GPS, camera or dates), no XMP,
no ICC profile (pixels are converted to sRGB first), no comments. For contributors whose
location must stay secret this is the point of the module, so it errs on the side of building
fresh images rather than trusting encoders to drop what they were not asked to write.
"""

from __future__ import annotations

import hashlib
import io
import warnings

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from archive.media_ports.ports import Derivative, ImagePipeline, ImageRejected, ProcessedImage

ACCEPTED_FORMATS = ("JPEG", "PNG", "WEBP", "TIFF", "GIF")
ACCEPTED_SENTENCE = "Accepted formats are JPEG, PNG, WebP, TIFF and GIF."

#: (name, long side in pixels), largest first: each is resized from the previous one.
SIZES: tuple[tuple[str, int], ...] = (("large", 2400), ("display", 1200), ("thumb", 400))
JPEG_OPTIONS = {"quality": 82, "optimize": True, "progressive": True}
WEBP_OPTIONS = {"quality": 80, "method": 4}
_WHITE = (255, 255, 255)

# Errors Pillow's decoders raise on damaged or hostile input.
_DECODE_ERRORS = (OSError, SyntaxError, ValueError, EOFError, IndexError, KeyError, TypeError)

_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class PillowImagePipeline(ImagePipeline):
    """Accept JPEG, PNG, WebP, TIFF and GIF uploads; produce six metadata-free derivatives.

    Derivatives are ``thumb`` (~400 px), ``display`` (~1200 px) and ``large`` (~2400 px) on the
    long side, never upscaled, each as WebP (alpha kept) and JPEG (alpha flattened on white).
    ``max_upload_bytes`` is checked before anything is parsed; ``max_pixels`` is checked on the
    declared dimensions before any pixel is decoded. Pillow's own decompression-bomb warning
    is treated as a refusal too, so the effective limit is the lower of ``max_pixels`` and
    ``PIL.Image.MAX_IMAGE_PIXELS`` (about 89.5 million by default; read, never changed).
    """

    def __init__(
        self, max_upload_bytes: int = 50 * 1024 * 1024, max_pixels: int = 100_000_000
    ) -> None:
        self._max_upload_bytes = max_upload_bytes
        self._max_pixels = max_pixels

    def ingest(self, data: bytes) -> ProcessedImage:
        """Validate ``data`` by its content and return its facts and derivatives.

        Raises ``ImageRejected`` (with a message meant for the uploader) for anything that is
        empty, too big, not one of the accepted formats, damaged, or has too many pixels.
        """
        data = bytes(data)
        self._check_byte_size(data)
        image, detected_format, size = self._decode(data)
        try:
            derivatives = _derivatives(image, size)
        except (ValueError, OSError):
            raise ImageRejected(
                "The image uses a colour format that cannot be converted. Accepted formats are JPEG, PNG, WebP, TIFF and GIF."
            ) from None
        finally:
            image.close()
        return ProcessedImage(
            sha256=hashlib.sha256(data).hexdigest(),
            byte_size=len(data),
            format=detected_format,
            width=size[0],
            height=size[1],
            derivatives=derivatives,
        )

    # -- validation and decoding -----------------------------------------------------------

    def _check_byte_size(self, data: bytes) -> None:
        if not data:
            raise ImageRejected("The file is empty. Accepted formats are JPEG, PNG, WebP, TIFF and GIF.")
        if len(data) > self._max_upload_bytes:
            raise ImageRejected(
                "The file is %(size)s MB; the upload limit is %(limit)s MB.",
                size=_megabytes(len(data)),
                limit=_megabytes(self._max_upload_bytes),
            )

    def _decode(self, data: bytes) -> tuple[Image.Image, str, tuple[int, int]]:
        """Open by content, check the declared size, decode (reduced for JPEG), fix orientation.

        Returns the decoded first frame, the detected format, and the full-resolution size
        after orientation (the decoded image may be smaller: see ``Image.draft``).
        """
        with warnings.catch_warnings():
            # Pillow warns (then errors) above its own pixel limit; treat both as a refusal.
            # Only this warning category is escalated; Pillow's globals are left untouched.
            # (catch_warnings is process-wide: if threads race here, the worst outcome is that
            # the "error" filter for this one category outlives the block, which is harmless.)
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            try:
                image = Image.open(io.BytesIO(data), formats=ACCEPTED_FORMATS)
            except (Image.DecompressionBombError, Image.DecompressionBombWarning):
                raise self._too_many_pixels() from None
            except UnidentifiedImageError:
                raise ImageRejected(
                    "The file is not an image in an accepted format. Accepted formats are JPEG, PNG, WebP, TIFF and GIF."
                ) from None
            except _DECODE_ERRORS:
                raise _damaged() from None
            try:
                detected = "JPEG" if image.format == "MPO" else str(image.format)
                width, height = image.size
                if width < 1 or height < 1:
                    raise _damaged()
                if width * height > self._pixel_limit():
                    raise self._too_many_pixels(width, height)
                if detected == "JPEG":
                    # Let libjpeg scale by 1/2, 1/4 or 1/8 while decoding, but never below the
                    # largest derivative: same output quality, a fraction of the time and memory.
                    image.draft("RGB", _fit((width, height), SIZES[0][1]))
                image.load()
            except BaseException as exc:
                image.close()
                if isinstance(exc, (Image.DecompressionBombError, Image.DecompressionBombWarning)):
                    raise self._too_many_pixels() from None
                if isinstance(exc, _DECODE_ERRORS):
                    raise _damaged() from None
                raise
        decoded_size = image.size
        try:
            ImageOps.exif_transpose(image, in_place=True)
        except _DECODE_ERRORS:
            pass  # unreadable EXIF: its orientation is unknowable; keep the pixels as stored
        swapped = image.size != decoded_size
        return image, detected, (height, width) if swapped else (width, height)

    def _pixel_limit(self) -> int:
        """Our limit, or Pillow's bomb-warning limit if that is lower (read, never changed)."""
        pillow_limit = Image.MAX_IMAGE_PIXELS
        return min(self._max_pixels, pillow_limit) if pillow_limit else self._max_pixels

    def _too_many_pixels(self, width: int | None = None, height: int | None = None) -> ImageRejected:
        limit = f"{self._pixel_limit() / 1_000_000:.3g}"
        if width is None or height is None:
            return ImageRejected("The image has too many pixels; the limit is %(limit)s million pixels.", limit=limit)
        return ImageRejected(
            "The image is %(width)d × %(height)d pixels; the limit is %(limit)s million pixels.",
            width=width,
            height=height,
            limit=limit,
        )


# -- derivatives -------------------------------------------------------------------------


def _derivatives(image: Image.Image, full_size: tuple[int, int]) -> tuple[Derivative, ...]:
    """Resize large → display → thumb, each from the previous result, and encode each twice.

    The first (largest) resize happens before colour conversion, so the ICC/CMYK transform
    runs on at most 2400 × 2400 pixels whatever the source size.
    """
    icc = image.info.get("icc_profile") or None
    current = _resizable(image)
    produced: list[Derivative] = []
    for index, (name, long_side) in enumerate(SIZES):
        size = _fit(full_size, long_side)
        if current.size != size:
            gap = 2.0 if index == 0 else None
            current = current.resize(size, Image.Resampling.LANCZOS, reducing_gap=gap)
        if index == 0:
            current = _to_srgb(current, icc)
        produced.append(_encode_webp(name, current))
        produced.append(_encode_jpeg(name, current))
    order = {name: i for i, (name, _) in enumerate(reversed(SIZES))}
    return tuple(sorted(produced, key=lambda d: (order[d.name], d.format)))


# -- colour ------------------------------------------------------------------------------


def _resizable(image: Image.Image) -> Image.Image:
    """Bring exotic modes to one that resizes well (8 bits per channel, alpha explicit)."""
    mode = image.mode
    if mode in ("P", "PA", "1"):
        transparent = mode == "PA" or "transparency" in image.info
        return image.convert("RGBA" if transparent else "RGB")
    if mode.startswith("I;16") or mode == "I":
        return image.convert("I").point(lambda v: v * (1 / 256)).convert("L")  # 16 → 8 bits
    if mode == "F":
        return image.convert("L")
    if mode == "RGBa":
        return image.convert("RGBA")
    if mode == "La":
        return image.convert("LA")
    if mode in ("RGB", "L") and "transparency" in image.info:
        return image.convert("RGBA")
    return image


def _to_srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """Return a new ``RGB`` (or ``RGBA`` if really transparent) sRGB image with empty ``info``."""
    alpha: Image.Image | None = None
    if image.mode in ("RGBA", "LA"):
        channel = image.getchannel("A")
        if channel.getextrema()[0] < 255:  # fully opaque images drop their alpha channel
            alpha = channel
        image = image.convert("RGB" if image.mode == "RGBA" else "L")
    rgb = _icc_to_srgb(image, icc) if icc else None
    if rgb is None:
        rgb = image.convert("RGB")  # a copy even if already RGB: never the decoded file object
    if alpha is not None:
        rgb.putalpha(alpha)
    rgb.info = {}
    return rgb


def _icc_to_srgb(image: Image.Image, icc: bytes) -> Image.Image | None:
    """Convert ``image`` from its embedded profile to sRGB; ``None`` if the profile is unusable."""
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(icc))
        return ImageCms.profileToProfile(
            image, source, _SRGB, renderingIntent=ImageCms.Intent.PERCEPTUAL, outputMode="RGB"
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return None


# -- encoding ----------------------------------------------------------------------------


def _encode_webp(name: str, image: Image.Image) -> Derivative:
    image.info = {}
    buffer = io.BytesIO()
    image.save(buffer, format="WEBP", **WEBP_OPTIONS)
    return Derivative(name, "webp", image.width, image.height, buffer.getvalue())


def _encode_jpeg(name: str, image: Image.Image) -> Derivative:
    if image.mode == "RGBA":
        flat = Image.new("RGB", image.size, _WHITE)
        flat.paste(image, mask=image.getchannel("A"))
    else:
        flat = image
    flat.info = {}
    buffer = io.BytesIO()
    flat.save(buffer, format="JPEG", **JPEG_OPTIONS)
    return Derivative(name, "jpeg", flat.width, flat.height, buffer.getvalue())


def _fit(size: tuple[int, int], long_side: int) -> tuple[int, int]:
    """Scale ``size`` so its long side is ``long_side``; never enlarge."""
    width, height = size
    longest = max(width, height)
    if longest <= long_side:
        return width, height
    scale = long_side / longest
    if width >= height:
        return long_side, max(1, round(height * scale))
    return max(1, round(width * scale)), long_side


def _damaged() -> ImageRejected:
    return ImageRejected(
        "The image file is damaged or incomplete and cannot be read. Accepted formats are JPEG, PNG, WebP, TIFF and GIF."
    )


def _megabytes(n_bytes: int) -> str:
    return f"{n_bytes / (1024 * 1024):.3g}"

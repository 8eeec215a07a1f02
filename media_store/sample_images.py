"""Generated demo photos that carry revealing EXIF (GPS, camera, date) on purpose.

They let the demo and the tests show that uploads are stripped: the original says where and
when it was taken and with which camera; the derivatives say nothing.
"""

from __future__ import annotations

import io
import random
from fractions import Fraction

from PIL import ExifTags, Image, ImageDraw, ImageFont, TiffImagePlugin

#: Almaty, Kazakhstan; the sample photos claim to be taken there.
SAMPLE_LATITUDE = 43.2389
SAMPLE_LONGITUDE = 76.8897
SAMPLE_MAKE = "Canon"
SAMPLE_MODEL = "Canon EOS 6D Mark II"

_PALETTES = (
    ((38, 70, 83), (42, 157, 143), (233, 196, 106), (244, 162, 97), (231, 111, 81)),
    ((61, 64, 91), (129, 178, 154), (242, 204, 143), (224, 122, 95), (244, 241, 222)),
    ((34, 49, 63), (94, 80, 63), (198, 172, 143), (234, 224, 213), (10, 9, 8)),
    ((95, 15, 64), (154, 3, 30), (251, 139, 36), (227, 100, 20), (15, 76, 92)),
    ((53, 80, 112), (109, 89, 122), (181, 101, 118), (229, 107, 111), (234, 172, 139)),
)


def make_sample_photo(seed: int, *, size: tuple[int, int] = (1600, 1200), title: str = "") -> bytes:
    """Return a deterministic abstract JPEG for ``seed`` whose EXIF reveals GPS and camera.

    The EXIF holds GPS coordinates (Almaty), Make/Model, DateTimeOriginal, an
    ImageDescription (``title`` or a default) and Orientation 1. ``title``, if given, is also
    drawn onto the picture.
    """
    rng = random.Random(seed)
    palette = _PALETTES[rng.randrange(len(_PALETTES))]
    top, bottom = rng.sample(palette, 2)
    image = _background(size, top, bottom, rng)
    _draw_shapes(image, palette, rng)
    if title:
        _draw_title(image, title)

    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", quality=88, exif=_revealing_exif(seed, title))
    return buffer.getvalue()


def _background(
    size: tuple[int, int], top: tuple[int, int, int], bottom: tuple[int, int, int], rng: random.Random
) -> Image.Image:
    """A soft diagonal gradient from ``top`` to ``bottom``."""
    ramp = Image.linear_gradient("L").rotate(rng.uniform(-35, 35), resample=Image.Resampling.BICUBIC)
    ramp = ramp.crop((32, 32, 224, 224)).resize(size, Image.Resampling.BICUBIC)
    return Image.composite(Image.new("RGB", size, bottom), Image.new("RGB", size, top), ramp)


def _draw_shapes(image: Image.Image, palette: tuple[tuple[int, int, int], ...], rng: random.Random) -> None:
    """Translucent circles, rings and bands, drawn at twice the size for smooth edges."""
    width, height = image.size
    scale = 2
    unit = min(width, height) * scale
    overlay = Image.new("RGBA", (width * scale, height * scale), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    for _ in range(rng.randint(7, 12)):
        r, g, b = rng.choice(palette)
        cx, cy = rng.uniform(0, width * scale), rng.uniform(0, height * scale)
        radius = rng.uniform(0.05, 0.35) * unit
        box = (cx - radius, cy - radius, cx + radius, cy + radius)
        kind = rng.random()
        if kind < 0.55:
            draw.ellipse(box, fill=(r, g, b, rng.randint(70, 170)))
        elif kind < 0.8:
            draw.ellipse(box, outline=(r, g, b, rng.randint(120, 220)), width=max(2, unit // 60))
        else:
            y = rng.uniform(0, height * scale)
            draw.rectangle((0, y, width * scale, y + radius / 3), fill=(r, g, b, rng.randint(40, 110)))
    overlay = overlay.resize((width, height), Image.Resampling.LANCZOS)  # premultiplied: no fringes
    image.paste(overlay, mask=overlay)


def _draw_title(image: Image.Image, title: str) -> None:
    width, height = image.size
    font = ImageFont.load_default(size=max(12, height // 18))
    draw = ImageDraw.Draw(image)
    margin = max(8, height // 30)
    draw.text((margin + 2, height - margin + 2), title, font=font, fill=(0, 0, 0), anchor="ls")
    draw.text((margin, height - margin), title, font=font, fill=(250, 248, 240), anchor="ls")


def _revealing_exif(seed: int, title: str) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = SAMPLE_MAKE
    exif[ExifTags.Base.Model] = SAMPLE_MODEL
    exif[ExifTags.Base.Orientation] = 1
    exif[ExifTags.Base.ImageDescription] = title or f"Sample photo {seed}"
    exif[ExifTags.Base.DateTime] = _timestamp(seed)
    exif_ifd = exif.get_ifd(ExifTags.IFD.Exif)
    exif_ifd[ExifTags.Base.DateTimeOriginal] = _timestamp(seed)
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSVersionID] = b"\x02\x03\x00\x00"
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = _degrees_minutes_seconds(SAMPLE_LATITUDE)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = _degrees_minutes_seconds(SAMPLE_LONGITUDE)
    return exif


def _timestamp(seed: int) -> str:
    day = 1 + seed % 28
    minute = seed * 7 % 60
    return f"2023:03:{day:02d} 14:{minute:02d}:00"


def _degrees_minutes_seconds(value: float) -> tuple[TiffImagePlugin.IFDRational, ...]:
    degrees = int(value)
    minutes_float = (value - degrees) * 60
    minutes = int(minutes_float)
    seconds = Fraction(round((minutes_float - minutes) * 60 * 100), 100)
    return (
        TiffImagePlugin.IFDRational(degrees, 1),
        TiffImagePlugin.IFDRational(minutes, 1),
        TiffImagePlugin.IFDRational(seconds.numerator, seconds.denominator),
    )

"""Behaviour of ``PillowImagePipeline``: what it refuses, and what it makes of what it accepts.

Every image is generated here; there are no fixture files. Derivatives must be upright, sRGB,
never upscaled, and carry no metadata at all (contributors' locations must not leak).
"""

from __future__ import annotations

import hashlib
import io
import random
import struct
import zlib

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from PIL import ExifTags, Image, ImageCms, ImageFile, TiffImagePlugin

from archive.media_ports.ports import Derivative, ImageRejected, ProcessedImage
from media_store import PillowImagePipeline

ACCEPTED = "Accepted formats are JPEG, PNG, WebP, TIFF and GIF."
RED, BLUE, GREEN, WHITE = (220, 20, 30), (20, 40, 200), (20, 180, 40), (255, 255, 255)


# -- helpers -----------------------------------------------------------------------------


def encode(image: Image.Image, fmt: str, **options: object) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return struct.pack(">I", len(payload)) + kind + payload + struct.pack(">I", zlib.crc32(kind + payload))


def png_declaring(width: int, height: int) -> bytes:
    """A tiny PNG whose IHDR declares ``width`` × ``height`` RGB pixels but holds no pixel data."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + png_chunk(b"IHDR", ihdr) + png_chunk(b"IDAT", b"") + png_chunk(b"IEND", b"")


def gps_exif(orientation: int = 1) -> Image.Exif:
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Model] = "Phone 12"
    exif[ExifTags.Base.Orientation] = orientation
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = tuple(TiffImagePlugin.IFDRational(v, 1) for v in (43, 14, 20))
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = tuple(TiffImagePlugin.IFDRational(v, 1) for v in (76, 53, 23))
    return exif


def upright_with_marker(size: tuple[int, int]) -> Image.Image:
    """Blue picture with a red block in the top-left corner and a green one bottom-right."""
    width, height = size
    image = Image.new("RGB", size, BLUE)
    image.paste(RED, (0, 0, width // 4, height // 4))
    image.paste(GREEN, (width * 3 // 4, height * 3 // 4, width, height))
    return image


def close_to(actual: tuple[int, ...], expected: tuple[int, ...], tolerance: int = 40) -> bool:
    return all(abs(a - e) <= tolerance for a, e in zip(actual, expected))


def pixel(derivative: Derivative, fx: float, fy: float) -> tuple[int, ...]:
    with Image.open(io.BytesIO(derivative.data)) as image:
        x = min(image.width - 1, int(image.width * fx))
        y = min(image.height - 1, int(image.height * fy))
        return image.convert("RGBA").getpixel((x, y))


def jpeg_segments(data: bytes) -> list[int]:
    """Marker codes of a JPEG's header segments, up to the start of scan."""
    assert data[:2] == b"\xff\xd8"
    markers, pos = [], 2
    while pos < len(data):
        assert data[pos] == 0xFF
        marker = data[pos + 1]
        markers.append(marker)
        if marker == 0xDA:  # start of scan: entropy-coded data follows
            return markers
        (length,) = struct.unpack(">H", data[pos + 2 : pos + 4])
        pos += 2 + length
    return markers


def webp_chunks(data: bytes) -> list[tuple[bytes, bytes]]:
    assert data[:4] == b"RIFF" and data[8:12] == b"WEBP"
    chunks, pos = [], 12
    while pos + 8 <= len(data):
        kind, (length,) = data[pos : pos + 4], struct.unpack("<I", data[pos + 4 : pos + 8])
        chunks.append((kind, data[pos + 8 : pos + 8 + length]))
        pos += 8 + length + (length & 1)
    return chunks


def assert_metadata_free(derivative: Derivative) -> None:
    data = derivative.data
    for needle in (b"Exif", b"EXIF", b"GPS", b"http://ns.adobe.com/xap", b"ICC_PROFILE", b"XMP "):
        assert needle not in data, f"{derivative.filename} contains {needle!r}"
    with Image.open(io.BytesIO(data)) as image:
        assert image.format == derivative.format.upper()
        assert (image.width, image.height) == (derivative.width, derivative.height)
        assert not image.getexif(), f"{derivative.filename} has EXIF"
        for key in ("exif", "xmp", "XML:com.adobe.xmp", "icc_profile", "comment"):
            assert key not in image.info, f"{derivative.filename} has {key}"
        assert getattr(image, "n_frames", 1) == 1
    if derivative.format == "jpeg":
        allowed = {0xD8, 0xE0, 0xDB, 0xC4, 0xDD, 0xDA} | set(range(0xC0, 0xD0))
        segments = jpeg_segments(data)
        assert set(segments) <= allowed, f"unexpected JPEG segments {[hex(m) for m in segments]}"
    else:
        for kind, payload in webp_chunks(data):
            assert kind in {b"VP8 ", b"VP8L", b"VP8X", b"ALPH"}, f"unexpected WebP chunk {kind!r}"
            if kind == b"VP8X":
                assert payload[0] & 0b0010_1100 == 0, "VP8X flags announce ICC, EXIF or XMP"


def assert_six_clean_derivatives(processed: ProcessedImage) -> None:
    names = sorted((d.name, d.format) for d in processed.derivatives)
    assert names == sorted((n, f) for n in ("thumb", "display", "large") for f in ("webp", "jpeg"))
    for derivative in processed.derivatives:
        assert_metadata_free(derivative)
        assert derivative.width <= processed.width and derivative.height <= processed.height


def by_name(processed: ProcessedImage, name: str, fmt: str) -> Derivative:
    return next(d for d in processed.derivatives if (d.name, d.format) == (name, fmt))


@pytest.fixture
def pipeline() -> PillowImagePipeline:
    return PillowImagePipeline()


# -- refusals ----------------------------------------------------------------------------


def test_empty_upload_is_refused_with_the_accepted_formats(pipeline):
    with pytest.raises(ImageRejected, match="empty") as refused:
        pipeline.ingest(b"")
    assert ACCEPTED in str(refused.value)


@pytest.mark.parametrize(
    "data",
    [
        pytest.param(b"Dear diary, this is text saved as photo.jpg\n" * 20, id="text-named-jpg"),
        pytest.param(b"%PDF-1.7\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", id="pdf"),
        pytest.param(b"<svg xmlns='http://www.w3.org/2000/svg'/>", id="svg"),
        pytest.param(encode(Image.new("RGB", (32, 32), RED), "BMP"), id="bmp-image-not-accepted"),
        pytest.param(b"\xff\xd8\xff", id="three-byte-jpeg-start"),
    ],
)
def test_content_that_is_not_an_accepted_image_is_refused(pipeline, data):
    with pytest.raises(ImageRejected) as refused:
        pipeline.ingest(data)
    assert ACCEPTED in str(refused.value)


@pytest.mark.parametrize("fmt", ["JPEG", "PNG", "WEBP"])
def test_truncated_image_is_refused_as_damaged(pipeline, fmt):
    noisy = Image.frombytes("RGB", (256, 256), random.Random(1).randbytes(256 * 256 * 3))
    data = encode(noisy, fmt)
    with pytest.raises(ImageRejected, match="damaged or incomplete") as refused:
        pipeline.ingest(data[: len(data) // 2])
    assert ACCEPTED in str(refused.value)


def test_png_declaring_ten_billion_pixels_is_refused_before_decoding(pipeline):
    with pytest.raises(ImageRejected, match="too many pixels|pixels; the limit"):
        pipeline.ingest(png_declaring(100_000, 100_000))


def test_declared_size_over_the_configured_pixel_limit_is_refused(pipeline):
    small_limit = PillowImagePipeline(max_pixels=1_000_000)
    with pytest.raises(ImageRejected) as refused:
        small_limit.ingest(png_declaring(2000, 2000))
    assert str(refused.value) == "The image is 2000 × 2000 pixels; the limit is 1 million pixels."


def test_pillow_bomb_warning_zone_is_refused_without_touching_pillow_globals(pipeline):
    before = Image.MAX_IMAGE_PIXELS
    with pytest.raises(ImageRejected, match="too many pixels|pixels; the limit"):
        pipeline.ingest(png_declaring(10_000, 9_500))  # 95 MP: between Pillow's warning and error
    assert Image.MAX_IMAGE_PIXELS == before
    assert ImageFile.LOAD_TRUNCATED_IMAGES is False


def test_upload_over_the_byte_limit_is_refused_with_the_limit_in_mb():
    data = encode(Image.new("RGB", (64, 64), RED), "JPEG")
    with pytest.raises(ImageRejected, match=r"upload limit is [0-9.e-]+ MB"):
        PillowImagePipeline(max_upload_bytes=len(data) - 1).ingest(data)
    PillowImagePipeline(max_upload_bytes=len(data)).ingest(data)  # exactly at the limit is fine


def test_byte_limit_is_checked_before_looking_at_the_content():
    with pytest.raises(ImageRejected, match=r"the upload limit is 50 MB"):
        PillowImagePipeline().ingest(b"not even an image" * 4_000_000)


# -- accepted uploads --------------------------------------------------------------------


def test_jpeg_with_orientation_6_and_gps_comes_out_upright_and_without_metadata(pipeline):
    upright = upright_with_marker((3000, 2000))
    stored = upright.transpose(Image.Transpose.ROTATE_90)  # what a sideways-held camera writes
    data = encode(stored, "JPEG", quality=90, exif=gps_exif(orientation=6))
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo), "precondition: GPS in the upload"

    processed = pipeline.ingest(data)

    assert (processed.width, processed.height) == (3000, 2000)
    assert_six_clean_derivatives(processed)
    for derivative in processed.derivatives:
        assert derivative.width > derivative.height
        assert close_to(pixel(derivative, 0.05, 0.05), RED), derivative.filename
        assert close_to(pixel(derivative, 0.95, 0.95), GREEN), derivative.filename
        assert close_to(pixel(derivative, 0.95, 0.05), BLUE), derivative.filename
        assert close_to(pixel(derivative, 0.05, 0.95), BLUE), derivative.filename


def test_big_jpeg_gets_derivatives_of_400_1200_and_2400_pixels_on_the_long_side(pipeline):
    data = encode(upright_with_marker((2000, 5000)), "JPEG", quality=85)

    processed = pipeline.ingest(data)

    sizes = {(d.name, d.format): (d.width, d.height) for d in processed.derivatives}
    for fmt in ("webp", "jpeg"):
        assert sizes[("large", fmt)] == (960, 2400)
        assert sizes[("display", fmt)] == (480, 1200)
        assert sizes[("thumb", fmt)] == (160, 400)
    assert close_to(pixel(by_name(processed, "large", "jpeg"), 0.02, 0.02), RED)


def test_big_png_is_resized_without_the_jpeg_shortcut(pipeline):
    data = encode(upright_with_marker((3000, 1000)), "PNG")
    processed = pipeline.ingest(data)
    assert [(d.width, d.height) for d in processed.derivatives if d.format == "webp"] == [
        (400, 133),
        (1200, 400),
        (2400, 800),
    ]


def test_small_image_is_never_upscaled_but_still_gets_all_six(pipeline):
    data = encode(upright_with_marker((300, 200)), "PNG")
    processed = pipeline.ingest(data)
    assert_six_clean_derivatives(processed)
    assert {(d.width, d.height) for d in processed.derivatives} == {(300, 200)}


def test_medium_image_is_shrunk_only_where_it_is_bigger(pipeline):
    processed = pipeline.ingest(encode(upright_with_marker((1000, 800)), "WEBP"))
    sizes = {d.name: (d.width, d.height) for d in processed.derivatives}
    assert sizes == {"thumb": (400, 320), "display": (1000, 800), "large": (1000, 800)}


def test_facts_describe_the_original_upload(pipeline):
    data = encode(upright_with_marker((640, 480)), "TIFF")
    processed = pipeline.ingest(data)
    assert processed.sha256 == hashlib.sha256(data).hexdigest()
    assert processed.byte_size == len(data)
    assert processed.format == "TIFF"
    assert (processed.width, processed.height) == (640, 480)


def test_16_bit_png_keeps_its_tones(pipeline):
    grey = Image.new("I;16", (300, 200), 0x8000)
    grey.paste(0xFFFF, (0, 0, 150, 200))
    data = encode(grey, "PNG")
    with Image.open(io.BytesIO(data)) as original:
        assert original.mode.startswith("I")  # precondition: really 16 bits per sample

    processed = pipeline.ingest(data)

    assert_six_clean_derivatives(processed)
    for derivative in processed.derivatives:
        assert close_to(pixel(derivative, 0.25, 0.5), (255, 255, 255, 255), 4)
        assert close_to(pixel(derivative, 0.75, 0.5), (128, 128, 128, 255), 4)


def test_cmyk_jpeg_is_converted_to_rgb(pipeline):
    cmyk = Image.new("CMYK", (400, 300), (0, 255, 255, 0))  # pure red ink mix
    cmyk.paste((255, 255, 0, 0), (200, 0, 400, 300))  # blue
    data = encode(cmyk, "JPEG", quality=95)

    processed = pipeline.ingest(data)

    assert processed.format == "JPEG"
    assert_six_clean_derivatives(processed)
    for derivative in processed.derivatives:
        assert close_to(pixel(derivative, 0.25, 0.5)[:3], (255, 0, 0), 50)
        assert close_to(pixel(derivative, 0.75, 0.5)[:3], (0, 0, 255), 50)


def test_palette_png_with_transparency_keeps_alpha_in_webp_and_is_white_in_jpeg(pipeline):
    image = Image.new("P", (200, 100), 0)
    image.putpalette([0, 0, 0, *RED] + [0, 0, 0] * 254)
    image.paste(1, (100, 0, 200, 100))
    data = encode(image, "PNG", transparency=0)

    processed = pipeline.ingest(data)

    assert_six_clean_derivatives(processed)
    for name in ("thumb", "display", "large"):
        webp = by_name(processed, name, "webp")
        assert pixel(webp, 0.25, 0.5)[3] == 0
        assert close_to(pixel(webp, 0.75, 0.5), (*RED, 255), 10)
        jpeg = by_name(processed, name, "jpeg")
        assert close_to(pixel(jpeg, 0.25, 0.5), (*WHITE, 255), 10)
        assert close_to(pixel(jpeg, 0.75, 0.5), (*RED, 255), 30)


def test_grey_png_with_alpha_is_accepted(pipeline):
    image = Image.new("LA", (120, 80), (90, 255))
    image.paste((90, 0), (0, 0, 60, 80))
    processed = pipeline.ingest(encode(image, "PNG"))
    assert_six_clean_derivatives(processed)
    assert pixel(by_name(processed, "thumb", "webp"), 0.25, 0.5)[3] == 0
    assert close_to(pixel(by_name(processed, "thumb", "jpeg"), 0.25, 0.5), (*WHITE, 255), 10)


def test_opaque_rgba_does_not_carry_an_alpha_channel(pipeline):
    processed = pipeline.ingest(encode(Image.new("RGBA", (64, 64), (*RED, 255)), "PNG"))
    with Image.open(io.BytesIO(by_name(processed, "thumb", "webp").data)) as image:
        assert image.mode == "RGB"


def test_animated_gif_uses_its_first_frame_only(pipeline):
    frames = [Image.new("RGB", (160, 120), colour) for colour in (RED, GREEN, BLUE)]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100, loop=0)
    with Image.open(io.BytesIO(data)) as original:
        assert original.n_frames == 3

    processed = pipeline.ingest(data)

    assert processed.format == "GIF"
    assert_six_clean_derivatives(processed)
    for derivative in processed.derivatives:
        assert close_to(pixel(derivative, 0.5, 0.5)[:3], RED, 20)


def test_embedded_icc_profile_is_applied_and_not_carried_over(pipeline):
    srgb = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    data = encode(upright_with_marker((400, 300)), "JPEG", quality=95, icc_profile=srgb)
    with Image.open(io.BytesIO(data)) as original:
        assert original.info.get("icc_profile")

    processed = pipeline.ingest(data)

    assert_six_clean_derivatives(processed)
    assert close_to(pixel(by_name(processed, "large", "jpeg"), 0.05, 0.05)[:3], RED, 25)


def test_xmp_and_comments_in_the_upload_do_not_reach_the_derivatives(pipeline):
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:rdf="http://ns.adobe.com/xap/1.0/">GPS</rdf:RDF></x:xmpmeta>'
    data = encode(upright_with_marker((300, 200)), "JPEG", xmp=xmp, comment=b"shot at home, GPS 43.2N")
    with Image.open(io.BytesIO(data)) as original:
        assert "xmp" in original.info and "comment" in original.info
    assert_six_clean_derivatives(pipeline.ingest(data))


def test_webp_with_exif_is_stripped(pipeline):
    data = encode(upright_with_marker((300, 200)), "WEBP", exif=gps_exif().tobytes())
    assert b"EXIF" in data
    assert_six_clean_derivatives(pipeline.ingest(data))


@st.composite
def small_images(draw: st.DrawFn) -> bytes:
    mode = draw(st.sampled_from(["RGB", "RGBA", "L"]))
    width = draw(st.integers(1, 48))
    height = draw(st.integers(1, 48))
    fmt = draw(st.sampled_from(["PNG", "WEBP", "TIFF", "GIF"] + (["JPEG"] if mode != "RGBA" else [])))
    seed = draw(st.integers(0, 2**32 - 1))
    bands = len(mode)
    image = Image.frombytes(mode, (width, height), random.Random(seed).randbytes(width * height * bands))
    return encode(image, fmt)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=small_images())
def test_any_small_image_yields_six_derivatives_or_a_clear_refusal(data):
    try:
        processed = PillowImagePipeline().ingest(data)
    except ImageRejected as refused:
        assert str(refused)
        return
    assert len(processed.derivatives) == 6
    for derivative in processed.derivatives:
        assert derivative.width <= processed.width and derivative.height <= processed.height
        assert derivative.data


@settings(max_examples=60, deadline=None)
@given(data=st.binary(max_size=512))
def test_arbitrary_bytes_are_either_an_image_or_refused(data):
    try:
        PillowImagePipeline().ingest(data)
    except ImageRejected:
        pass

"""The generated demo photos really carry revealing EXIF, and the pipeline really removes it."""

from __future__ import annotations

import io

from PIL import ExifTags, Image

from media_store import PillowImagePipeline, make_sample_photo


def _degrees(dms: tuple[float, float, float]) -> float:
    degrees, minutes, seconds = (float(v) for v in dms)
    return degrees + minutes / 60 + seconds / 3600


def test_sample_photo_carries_gps_camera_date_and_description():
    data = make_sample_photo(7, size=(640, 480), title="Quilt, panel 3")

    with Image.open(io.BytesIO(data)) as photo:
        assert photo.format == "JPEG" and photo.size == (640, 480)
        exif = photo.getexif()
        gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
        details = exif.get_ifd(ExifTags.IFD.Exif)

    assert gps[ExifTags.GPS.GPSLatitudeRef] == "N" and gps[ExifTags.GPS.GPSLongitudeRef] == "E"
    assert abs(_degrees(gps[ExifTags.GPS.GPSLatitude]) - 43.2389) < 1e-3
    assert abs(_degrees(gps[ExifTags.GPS.GPSLongitude]) - 76.8897) < 1e-3
    assert exif[ExifTags.Base.Make] and exif[ExifTags.Base.Model]
    assert exif[ExifTags.Base.Orientation] == 1
    assert exif[ExifTags.Base.ImageDescription] == "Quilt, panel 3"
    assert details[ExifTags.Base.DateTimeOriginal].startswith("20")
    assert b"GPS" in data or b"Exif" in data


def test_sample_photo_is_deterministic_per_seed_and_differs_between_seeds():
    assert make_sample_photo(1, size=(320, 240)) == make_sample_photo(1, size=(320, 240))
    assert make_sample_photo(1, size=(320, 240)) != make_sample_photo(2, size=(320, 240))


def test_sample_photo_is_not_a_flat_colour():
    with Image.open(io.BytesIO(make_sample_photo(3, size=(320, 240)))) as photo:
        low, high = zip(*photo.getextrema())
    assert max(h - lo for lo, h in zip(low, high)) > 60


def test_pipeline_removes_every_trace_of_the_sample_photos_exif():
    data = make_sample_photo(11, title="Testimony 11")

    processed = PillowImagePipeline().ingest(data)

    assert len(processed.derivatives) == 6
    for derivative in processed.derivatives:
        assert b"Exif" not in derivative.data and b"GPS" not in derivative.data
        assert b"Canon" not in derivative.data and b"Testimony 11" not in derivative.data
        with Image.open(io.BytesIO(derivative.data)) as image:
            assert not image.getexif()
            assert not image.getexif().get_ifd(ExifTags.IFD.GPSInfo)
            assert "exif" not in image.info

"""Adapters for the media ports in ``archive.media_ports.ports``: where bytes live and how images are made safe.

- ``LocalMediaStore``: files in a private folder (development, single-machine installs).
- ``S3MediaStore``: an S3 (or S3-compatible) bucket, versioned or not.
- ``PillowImagePipeline``: validation and metadata-free derivatives with Pillow.
- ``make_sample_photo``: generated demo photos that carry GPS EXIF on purpose.
"""

from media_store.images import PillowImagePipeline
from media_store.keys import InvalidMediaKey
from media_store.local import LocalMediaStore
from media_store.s3 import S3MediaStore
from media_store.sample_images import make_sample_photo

__all__ = [
    "InvalidMediaKey",
    "LocalMediaStore",
    "PillowImagePipeline",
    "S3MediaStore",
    "make_sample_photo",
]

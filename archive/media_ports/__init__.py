"""The media ports: what the archive asks of object storage and of the image pipeline.

``ports`` declares them (``media_store`` implements them), ``files`` names media objects and
seals their bytes under the item's key, and ``gc`` decides which orphaned objects a sweep
keeps for now. Nothing here decodes an image or talks to a bucket.
"""

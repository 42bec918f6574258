"""The web layer: Flask app factory, pages and (later) the OGC API."""

import logging

from webmap.app import create_app

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = ["create_app"]

"""Pure planning analyses (siting, allocation, compliance, pollution, routes).

Filled by the planning issues; ``pipeline.py`` will be the only module with IO.
"""

import logging

logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__: list[str] = []

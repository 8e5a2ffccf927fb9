"""An example curate plugin: the ``shouting`` detector and the ``char-counts`` text embedder.

curate finds both through the entry points in this package's pyproject.toml; nothing here
registers anything at import.
"""

from curate_example_plugin.char_counts import CharCountEmbedder
from curate_example_plugin.shouting import ShoutingDetector

__all__ = ["CharCountEmbedder", "ShoutingDetector"]

"""What an import stores: the raw bytes of a source (and test file) and how they were read."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any

__all__ = ["SourceRecord"]


@dataclass(frozen=True)
class SourceRecord:
    """What an import stores: the raw bytes of the source (and test file) and how they were read."""

    name: str
    source_path: str
    data: bytes
    suffix: str
    format: str
    encoding: str | None
    options: dict[str, Any]
    test_path: str | None = None
    test_data: bytes | None = None

    @property
    def fingerprint(self) -> str:
        """Equal exactly when the same bytes are imported with the same options.

        Returns
        -------
        str
            A SHA-256 hex digest over the source bytes, the test file's bytes (if any) and the
            read options.
        """
        digest = hashlib.sha256(self.data)
        digest.update(hashlib.sha256(self.test_data or b"").digest())
        digest.update(json.dumps(self.options, sort_keys=True).encode())
        return digest.hexdigest()

"""curate: know your data, then fix it.

>>> import curate
>>> result = curate.audit("reviews.csv", label="label", text="text")  # doctest: +SKIP
>>> result.summary  # doctest: +SKIP
"""

from curate.audit import AuditResult, audit
from curate.core.config import AuditConfig
from curate.core.dataset import Dataset
from curate.detectors import Detector, DetectorResult, available_detectors, register
from curate.errors import CurateError
from curate.ingest.building import build_dataset
from curate.ingest.loading import load_data
from curate.modalities import Modality, available_modalities, register_modality
from curate.store import Workspace

__version__ = "0.1.0"

__all__ = [
    "AuditConfig",
    "AuditResult",
    "CurateError",
    "Dataset",
    "Detector",
    "DetectorResult",
    "Modality",
    "Workspace",
    "__version__",
    "audit",
    "available_detectors",
    "available_modalities",
    "build_dataset",
    "load_data",
    "register",
    "register_modality",
]

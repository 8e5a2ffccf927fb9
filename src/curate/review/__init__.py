"""The review web app: look at findings, decide about rows, every decision appended to the ledger.

Library first: :class:`ReviewSession` and the page builders in :mod:`curate.review.pages` are what
the web handlers call; :func:`curate.review.web.create_app` (needs the ``review`` extra) serves them.
"""

from curate.review.bulk import apply_bulk, preview_bulk
from curate.review.models import DecisionRequest, QueueFilter
from curate.review.security import BindError, check_bind
from curate.review.service import ReviewSession, RunData, load_run

__all__ = [
    "BindError",
    "DecisionRequest",
    "QueueFilter",
    "ReviewSession",
    "RunData",
    "apply_bulk",
    "check_bind",
    "load_run",
    "preview_bulk",
]

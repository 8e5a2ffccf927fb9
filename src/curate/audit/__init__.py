"""The audit: plan the needs, compute them once, run the detectors, record the run."""

from curate.audit.run import AuditResult, audit, audit_dataset, findings_frame

__all__ = ["AuditResult", "audit", "audit_dataset", "findings_frame"]

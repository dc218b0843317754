"""Faults of model calls: what is retried, how long to wait, and what is final."""

from throughline.providers.faults.retry import (
    Fault,
    FaultKind,
    MalformedReply,
    RetryPolicy,
    UnsupportedOutput,
    classify,
)

__all__ = ["Fault", "FaultKind", "MalformedReply", "RetryPolicy", "UnsupportedOutput", "classify"]

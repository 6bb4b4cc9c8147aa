"""Powertools' logger, one per execution environment, and CloudWatch metrics.

Tracing is Lambda's, API Gateway's and Step Functions' own active tracing (``Tracing: Active`` in the template):
each invocation's segments (initialization, invocation, overhead) are recorded with no SDK in the function, and
every log line carries the request's ``xray_trace_id`` (Powertools reads it from ``_X_AMZN_TRACE_ID``) and
``correlation_id``, so a trace and its logs find each other. No in-process spans: the X-Ray SDK cost ~80 ms at
every cold start, loaded botocore into every function, and AWS ends its support on 2027-02-25.

Metrics are written in the embedded metric format in the ``Imagify`` namespace, one line per data point:
each point is flushed at once with its own dimensions, so a task function that emits a metric and then
raises still gets it recorded.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger
from aws_lambda_powertools.metrics import MetricUnit, single_metric

from imagify import lifecycle

logger = Logger(service="imagify")

NAMESPACE = "Imagify"


def _emit(name: str, unit: MetricUnit, value: float, dimensions: dict[str, str]) -> None:
    if lifecycle.is_offline():  # (a priming request before a snapshot: not a request of anyone's)
        return
    with single_metric(name=name, unit=unit, value=value, namespace=NAMESPACE) as metric:
        for key, dimension in dimensions.items():
            metric.add_dimension(name=key, value=dimension)


def count(name: str, value: int = 1, **dimensions: str) -> None:
    _emit(name, MetricUnit.Count, value, dimensions)


def milliseconds(name: str, value: float, **dimensions: str) -> None:
    _emit(name, MetricUnit.Milliseconds, value, dimensions)


def refunded(change: object, reason: str) -> None:
    """Record a refund the ledger made (``change`` is its ``Change``, or None when nothing was due)."""
    delta = getattr(change, "delta", 0)
    if delta:
        count("TokensRefunded", int(delta), reason=reason)

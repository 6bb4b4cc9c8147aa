"""Powertools' logger and tracer, one of each per execution environment, and CloudWatch metrics.

Metrics are written in the embedded metric format in the ``Imagify`` namespace, one line per data point:
each point is flushed at once with its own dimensions, so a task function that emits a metric and then
raises still gets it recorded.
"""

from __future__ import annotations

from aws_lambda_powertools import Logger, Tracer
from aws_lambda_powertools.metrics import MetricUnit, single_metric

logger = Logger(service="imagify")
# Only boto3 calls are patched (S3, Step Functions, SSM, Secrets Manager, Bedrock): X-Ray's default patches
# every library it knows that is installed, which imported requests, sqlite3 and psycopg in every function
# at cold start (~25 ms; ~85 ms for a function with no database), and wrapped each psycopg connection in a
# proxy that traced nothing, since ``conn.execute`` bypasses its cursor (see docs/performance.md).
tracer = Tracer(service="imagify", patch_modules=("botocore",))

NAMESPACE = "Imagify"


def _emit(name: str, unit: MetricUnit, value: float, dimensions: dict[str, str]) -> None:
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

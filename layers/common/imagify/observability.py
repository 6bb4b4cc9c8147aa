"""Powertools logger, tracer and metrics, one of each per execution environment."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="imagify")
# Only boto3 calls are patched (S3, Step Functions, SSM, Secrets Manager, Bedrock): X-Ray's default patches
# every library it knows that is installed, which imported requests, sqlite3 and psycopg in every function
# at cold start (~25 ms; ~85 ms for a function with no database), and wrapped each psycopg connection in a
# proxy that traced nothing, since ``conn.execute`` bypasses its cursor (see docs/performance.md).
tracer = Tracer(service="imagify", patch_modules=("botocore",))
metrics = Metrics(namespace="Imagify", service="imagify")

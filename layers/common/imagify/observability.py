"""Powertools logger, tracer and metrics, one of each per execution environment."""

from __future__ import annotations

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="imagify")
tracer = Tracer(service="imagify")
metrics = Metrics(namespace="Imagify", service="imagify")

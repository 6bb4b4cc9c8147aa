"""Imagify's local stack: the SAM template's API, functions, state machines and buckets, without Docker.

``python -m devstack serve`` (``make dev``) and ``python -m devstack invoke`` (``make invoke``); tests build
events with :mod:`devstack.events` and contexts with :mod:`devstack.context`.
"""

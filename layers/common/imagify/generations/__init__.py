"""Generations: what a user asks for, what it costs, and the flow that makes the image."""

"""Webhooks: endpoints a user registers, signed deliveries of a generation's end, retried for a day."""

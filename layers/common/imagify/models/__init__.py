"""Row models (what a table holds) and API models (what the frontend sees), kept apart."""

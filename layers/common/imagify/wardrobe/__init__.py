"""The wardrobe: looks a user keeps, grouped in collections and tagged.

``item_count`` and ``saved_to_wardrobe`` are kept by the database's triggers (migrations/0007), so the
code here never adjusts them by hand.
"""

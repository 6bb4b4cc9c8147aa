"""Identity: users, passwords, sessions and tokens."""

"""aid in the admin (filled by its room)."""

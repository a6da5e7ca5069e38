"""The demo's advice (filled by its room)."""

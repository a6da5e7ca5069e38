"""The demo's aid (filled by its room)."""

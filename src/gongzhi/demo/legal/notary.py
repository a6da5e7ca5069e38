"""The demo's notary (filled by its room)."""

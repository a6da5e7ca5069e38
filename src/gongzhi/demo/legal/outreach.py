"""The demo's outreach (filled by its room)."""

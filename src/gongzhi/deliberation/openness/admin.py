"""The openness room's admin pages."""

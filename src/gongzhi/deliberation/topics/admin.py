"""The topics room's admin pages."""

"""The public room's admin pages."""

"""The meetings room's admin pages."""

"""The matters room's admin pages."""

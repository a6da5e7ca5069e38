"""The repairs room's models in the admin."""

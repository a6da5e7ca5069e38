"""The customs room's models in the admin."""

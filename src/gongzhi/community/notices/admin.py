"""The notices room's models in the admin."""

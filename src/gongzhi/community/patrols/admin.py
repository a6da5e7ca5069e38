"""The patrols room's models in the admin."""

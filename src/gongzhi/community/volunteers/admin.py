"""The volunteers room's models in the admin."""

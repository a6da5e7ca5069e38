"""The points room's models in the admin."""

"""The community app's volunteers room."""

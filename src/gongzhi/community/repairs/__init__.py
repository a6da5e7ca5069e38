"""The community app's repairs room."""

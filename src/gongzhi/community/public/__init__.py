"""The community app's public room."""

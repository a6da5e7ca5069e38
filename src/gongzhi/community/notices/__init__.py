"""The community app's notices room."""

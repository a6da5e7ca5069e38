"""The community app's customs room."""

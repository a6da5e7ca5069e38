"""The community app's patrols room."""

"""The community app's points room."""

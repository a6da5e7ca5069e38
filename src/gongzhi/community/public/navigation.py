"""The community app's menu entries."""

"""What the rollups hear: cases and callbacks changing (connected when the app is ready).
(placeholder: being written)"""

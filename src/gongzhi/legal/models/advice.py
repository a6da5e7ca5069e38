"""advice models (filled by its room)."""

__all__: list[str] = []

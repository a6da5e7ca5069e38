"""The command centre's pages: the overview (the start page), the big screen, analytics,
early warnings, monthly reports and the police's public-safety figures."""

from .overview import home

__all__ = ["home"]

"""The hall's admin pages: each room registers its own models."""

from .matters import admin as _matters  # noqa: F401
from .meetings import admin as _meetings  # noqa: F401
from .openness import admin as _openness  # noqa: F401
from .public import admin as _public  # noqa: F401
from .topics import admin as _topics  # noqa: F401

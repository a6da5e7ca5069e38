"""The community app's admin: each room registers its own models (``<room>/admin.py``)."""

from .customs import admin as customs  # noqa: F401
from .notices import admin as notices  # noqa: F401
from .patrols import admin as patrols  # noqa: F401
from .points import admin as points  # noqa: F401
from .repairs import admin as repairs  # noqa: F401
from .volunteers import admin as volunteers  # noqa: F401

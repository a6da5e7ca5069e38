"""The legal services in the admin: each room registers its own (``<room>/admin.py``)."""

from .advice import admin as _advice  # noqa: F401
from .aid import admin as _aid  # noqa: F401
from .notary import admin as _notary  # noqa: F401
from .outreach import admin as _outreach  # noqa: F401
from .points import admin as _points  # noqa: F401

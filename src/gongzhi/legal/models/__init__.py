"""The legal app's models, one module per room."""

from .advice import *  # noqa: F403
from .aid import *  # noqa: F403
from .notary import *  # noqa: F403
from .outreach import *  # noqa: F403
from .points import *  # noqa: F403

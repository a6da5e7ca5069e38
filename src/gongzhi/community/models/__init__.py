"""The community app's models, one module per room (repairs, notices, volunteers, patrols,
points, customs); imported here so that Django and other apps see one ``community.models``."""

from .customs import *  # noqa: F403
from .notices import *  # noqa: F403
from .patrols import *  # noqa: F403
from .points import *  # noqa: F403
from .repairs import *  # noqa: F403
from .volunteers import *  # noqa: F403

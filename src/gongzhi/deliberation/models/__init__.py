"""The deliberation hall's models, one module per room (rules, topics, meetings, matters,
openness); imported here so that Django and other apps see one ``deliberation.models``."""

from .matters import *  # noqa: F403
from .meetings import *  # noqa: F403
from .openness import *  # noqa: F403
from .rules import *  # noqa: F403
from .topics import *  # noqa: F403

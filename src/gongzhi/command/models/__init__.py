"""The command centre's tables, one module a concern: the daily rollups the screen and the
analytics read, the assessment weights, early warnings, monthly reports and the police's
public-safety figures."""

from .assessment import *  # noqa: F403
from .early_warnings import *  # noqa: F403
from .reports import *  # noqa: F403
from .rollups import *  # noqa: F403
from .safety import *  # noqa: F403

"""The community app's menu entries (``gongzhi.core.navigation``): each room registers its
own (``<room>/navigation.py``), imported here once."""

from .customs import navigation as customs  # noqa: F401
from .notices import navigation as notices  # noqa: F401
from .patrols import navigation as patrols  # noqa: F401
from .points import navigation as points  # noqa: F401
from .public import navigation as public  # noqa: F401
from .repairs import navigation as repairs  # noqa: F401
from .volunteers import navigation as volunteers  # noqa: F401

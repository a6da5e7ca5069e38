"""The community app's menu entries (``gongzhi.core.navigation``): each room registers its
own (``<room>/navigation.py``), imported here once."""

from .public import navigation as public  # noqa: F401

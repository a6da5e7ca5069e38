"""Moved: the viewer's roles and menus are ``gongzhi.core.context_processors.viewer`` (read
from ``gongzhi.core.navigation``), the role groups are in ``gongzhi.accounts.roles``.

Kept only for the modules that still import the role groups from here; delete it once they
import ``gongzhi.accounts.roles``.
"""

from .roles import STAFF_DESK, UNIT_DESK

__all__ = ["STAFF_DESK", "UNIT_DESK"]

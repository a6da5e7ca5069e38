"""What every page needs to know about its viewer: their roles, to show the right menus."""

from gongzhi.core.scope import scope_for

from .models import Role

STAFF_DESK = {Role.DISPATCHER, Role.HOTLINE_OPERATOR, Role.LEADER, Role.ADMINISTRATOR}
UNIT_DESK = {Role.HANDLER, Role.LEADER}


def viewer(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = set(scope_for(user).roles)  # administrators' scope already names their role
    return {
        "viewer_roles": roles,
        "nav": {
            "queue": bool(roles & STAFF_DESK),
            "inbox": bool(roles & UNIT_DESK),
            "tasks": Role.GRID_WORKER in roles,
            "hotline": bool(roles & {Role.HOTLINE_OPERATOR, Role.DISPATCHER, Role.ADMINISTRATOR}),
            "report": bool(roles & {Role.RESIDENT, Role.GRID_WORKER}) or not roles,
            "staff": bool(roles - {Role.RESIDENT}),
            "triage": bool(roles & {Role.DISPATCHER, Role.ADMINISTRATOR}),
            "hotspots": bool(roles & STAFF_DESK),
        },
    }

"""What every page needs to know about its viewer: their roles, to show the right menus."""

from gongzhi.core.scope import scope_for

from .models import Role

STAFF_DESK = {Role.DISPATCHER, Role.HOTLINE_OPERATOR, Role.LEADER, Role.ADMINISTRATOR}
UNIT_DESK = {Role.HANDLER, Role.LEADER}


def _has_inbox(user, roles) -> bool:
    if Role.HANDLER in roles:
        return True
    if Role.LEADER not in roles:
        return False
    from gongzhi.cases.workflow.relations import handling_units

    # A government's leaders supervise; only a unit that handles cases has an inbox.
    return any(subtree for _path, subtree in handling_units(user))


def _callback_list(roles) -> str:
    if not roles & {Role.HOTLINE_OPERATOR, Role.DISPATCHER}:
        return ""
    from gongzhi.cases.queries import CALLBACK_LIST_QUERY

    return CALLBACK_LIST_QUERY


def viewer(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = set(scope_for(user).roles)  # administrators' scope already names their role
    return {
        "viewer_roles": roles,
        "nav": {
            "queue": bool(roles & STAFF_DESK),
            "inbox": _has_inbox(user, roles),
            "tasks": Role.GRID_WORKER in roles,
            "hotline": bool(roles & {Role.HOTLINE_OPERATOR, Role.DISPATCHER, Role.ADMINISTRATOR}),
            "report": bool(roles & {Role.RESIDENT, Role.GRID_WORKER}) or not roles,
            "staff": bool(roles - {Role.RESIDENT}),
            "triage": bool(roles & {Role.DISPATCHER, Role.ADMINISTRATOR}),
            "hotspots": bool(roles & STAFF_DESK),
            # Those who call reporters back (回访) on the phone: the queue's query for it.
            "callbacks": _callback_list(roles),
        },
    }

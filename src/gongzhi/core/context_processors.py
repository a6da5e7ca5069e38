"""What every page needs: who is looking (their roles and menus) and the base map."""

from django.conf import settings
from django.templatetags.static import static

from .navigation import menu_for
from .scope import scope_for

_MARKER = "vendor/leaflet/images/"


def base_map(request) -> dict:
    """The tile layers every map page draws under its own shapes (none when unset)."""
    conf = settings.GONGZHI
    return {
        "base_map": {
            "tiles": conf.get("MAP_TILES", []),
            "subdomains": conf.get("MAP_SUBDOMAINS", ""),
            "attribution": conf.get("MAP_ATTRIBUTION", ""),
            "maxZoom": conf.get("MAP_MAX_ZOOM", 18),
            # Leaflet finds its pin from leaflet.css, where the collected (hashed) file name
            # defeats it: the pin's own URLs are given instead.
            "marker": {
                "iconUrl": static(_MARKER + "marker-icon.png"),
                "iconRetinaUrl": static(_MARKER + "marker-icon-2x.png"),
                "shadowUrl": static(_MARKER + "marker-shadow.png"),
            },
        }
    }


def viewer(request) -> dict:
    """The viewer's roles and the menus they see (``gongzhi.core.navigation``)."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    roles = set(scope_for(user).roles)  # administrators' scope already names their role
    menu = menu_for(user, roles)
    return {"viewer_roles": roles, "menu": menu}

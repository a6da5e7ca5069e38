from django.conf import settings
from django.templatetags.static import static

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

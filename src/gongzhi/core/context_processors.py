from django.conf import settings


def base_map(request) -> dict:
    """The tile layers every map page draws under its own shapes (none when unset)."""
    conf = settings.GONGZHI
    return {
        "base_map": {
            "tiles": conf.get("MAP_TILES", []),
            "subdomains": conf.get("MAP_SUBDOMAINS", ""),
            "attribution": conf.get("MAP_ATTRIBUTION", ""),
            "maxZoom": conf.get("MAP_MAX_ZOOM", 18),
        }
    }

"""The production static pipeline: every asset a page names can be collected and served."""

from django.core.management import call_command


def test_collectstatic_builds_a_complete_manifest(settings, tmp_path):
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    # Raises on any file that references a missing one (a source map, an image in CSS).
    call_command("collectstatic", "--no-input", "-v", "0")
    manifest = (tmp_path / "staticfiles.json").read_text()
    for asset in (
        "vendor/htmx/htmx.min.js",
        "vendor/leaflet/leaflet.js",
        "vendor/echarts/echarts.min.js",
        "gongzhi/app.css",
    ):
        assert asset in manifest


def test_the_map_pin_is_named_by_its_collected_file(settings, tmp_path, rf):
    # Leaflet guesses its pin's folder from leaflet.css, which collectstatic's hashed names
    # break (the pin was a broken image in production): the pages name the files instead.
    from gongzhi.core.context_processors import base_map

    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--no-input", "-v", "0")
    marker = base_map(rf.get("/"))["base_map"]["marker"]
    for url in marker.values():
        name = url.removeprefix(settings.STATIC_URL)
        assert name != url and (tmp_path / name).is_file()
        assert "marker-" in name and name.count(".") == 2  # hashed: marker-icon.<hash>.png


def test_favicon_ico_leads_to_the_collected_app_icon(settings, tmp_path, client):
    # The admin's pages name no icon, so browsers ask for /favicon.ico (a 404 in every log).
    settings.STATIC_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"},
    }
    call_command("collectstatic", "--no-input", "-v", "0")
    response = client.get("/favicon.ico")
    assert response.status_code == 302
    name = response["Location"].removeprefix(settings.STATIC_URL)
    assert name.startswith("gongzhi/icons/icon-192.") and (tmp_path / name).is_file()

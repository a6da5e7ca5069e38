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

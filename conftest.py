import pytest
from django.db.backends.signals import connection_created


def _allow_audit_flush(sender, connection, **kwargs):
    # The audit table refuses TRUNCATE on PostgreSQL (core migration 0006) except in a session
    # that says so: the flushes between transactional tests.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET gongzhi.audit_allow_truncate = 'on'")


connection_created.connect(_allow_audit_flush, dispatch_uid="gongzhi_tests_audit_flush")

# Every browser test's live server (tests/live_server.py): one connection served in turn on
# in-memory SQLite.
pytest_plugins = ["tests.live_server"]


@pytest.fixture(autouse=True)
def _plain_static_storage(settings):
    # The manifest storage needs collectstatic; tests serve static files from the finders.
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # Full-strength PBKDF2 costs a noticeable fraction of a second per user a test creates.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_routing_reference():
    # Flushes between transactional tests fire no signals: start each test from the rows.
    from gongzhi.cases.workflow import reference
    from gongzhi.triage import gazetteer, registry
    from gongzhi.triage import services as triage

    reference.clear()
    triage.forget_policy()
    registry.invalidate()  # a model a test activated is gone with its rolled-back row
    gazetteer.invalidate()
    yield
    reference.clear()
    triage.forget_policy()
    registry.invalidate()
    gazetteer.invalidate()

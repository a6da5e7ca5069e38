from tests.legal.outreach.conftest import pf, seeded_groups  # noqa: F401

"""The command centre's periodic jobs (``gongzhi.core.periodic``), each a room's ``tick``:
imported when a job runs, so starting a process loads none of them."""


def rollups(*, now=None) -> dict:
    from . import rollups

    return rollups.tick(now=now)


def early_warnings(*, now=None) -> dict:
    from . import early_warnings

    return early_warnings.tick(now=now)


def reports(*, now=None) -> dict:
    from . import reports

    return reports.tick(now=now)

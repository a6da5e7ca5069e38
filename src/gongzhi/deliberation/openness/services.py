"""Openness' services (``check_*`` / ``do_*``, keyword-only). The matters room's workflow
calls ``create_publication`` from its publish steps and ``check_result_ready`` before the
result is published."""

from __future__ import annotations


def create_publication(*, matter, kind: str, params: dict, actor, now):
    """Validate ``params`` (``text``, ``days``), create the matter's publication of ``kind``
    (a PublicationKind), tell every household on commit; return it. Raises ServiceError on
    bad input. To be written by the openness room."""
    raise NotImplementedError


def check_result_ready(matter) -> None:
    """Refuse (ServiceError) to publish a matter's result while an implementation is not
    completed or stopped, or there is none. To be written by the openness room."""
    raise NotImplementedError

"""Telling every household of a village (a meeting's notice, a 公示): the in-app inbox of
each villager with an account, and an SMS to the head's phone for a household none of
whose members has one. Returns how many households were told, the figure the meeting and
the publication keep."""

from __future__ import annotations

from django.contrib.auth import get_user_model

from gongzhi.notify import services as notify


def tell_households(
    *, region_id: int, kind: str, title: str, body: str = "", link: str = ""
) -> int:
    """Call inside the step's transaction: the inbox rows are written with it and the texts
    are queued when it commits."""
    from gongzhi.people.models import Resident

    residents = list(
        Resident.objects.current()
        .filter(region_id=region_id)
        .values_list("household_id", "id_number", "phone", "relation")
    )
    if not residents:
        return 0
    by_number = {number.upper(): household for household, number, _, _ in residents if number}
    users = list(
        get_user_model()
        .objects.filter(is_active=True, id_number__in=list(by_number))
        .values_list("pk", "id_number")
    )
    reached = {by_number[number.upper()] for _, number in users}
    if users:
        notify.notify(
            recipients=[pk for pk, _ in users], kind=kind, title=title, body=body, link=link
        )
    phones: dict[int, str] = {}
    for household, _, phone, relation in residents:
        if household in reached or not phone:
            continue
        if household not in phones or relation == "head":
            phones[household] = phone
    notify.text_phones(
        [
            notify.PhoneText(phone=phone, kind=kind, title=title, body=body, link=link)
            for phone in phones.values()
        ]
    )
    households = {household for household, _, _, _ in residents}
    return len(reached) + sum(1 for h in households - reached if h in phones)

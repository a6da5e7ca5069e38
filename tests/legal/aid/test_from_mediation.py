"""Where mediation and legal aid meet: a failed mediation is offered, on the legal home of
those who enter applications for others, as a referral to legal aid; once an application
follows it, it is no longer offered."""

from decimal import Decimal

from django.urls import reverse

from gongzhi.accounts.models import Role
from gongzhi.legal.aid import services as aid_services
from gongzhi.mediation import services as mediation
from gongzhi.mediation import workflow
from gongzhi.mediation.models import DisputeType
from tests.factories import UserFactory
from tests.mediation.conftest import seeded_reference

from .conftest import id_number


def _failed_dispute(w):
    seeded_reference()
    mediator = UserFactory(organisation=w.community, role=Role.MEDIATOR)
    dispute = mediation.do_register(
        data=mediation.DisputeIn(
            title="拖欠工资纠纷",
            type_id=DisputeType.objects.get(code="neighbour").pk,
            facts="包工头拖欠三个月工资，经调解对方拒不支付",
            source="screening",
            grid_id=w.grid.pk,
            parties=[
                mediation.PartyIn(side="applicant", name="马福贵", phone="13900001111"),
                mediation.PartyIn(side="respondent", name="韩成林"),
            ],
        ),
        actor=w.grid_worker,
    )
    for action, params in [
        ("accept", {}),
        ("start", {"lead": mediator.pk}),
        ("fail", {"reason": "双方分歧过大"}),
    ]:
        workflow.transition(dispute_id=dispute.pk, action=action, actor=mediator, **params)
    return dispute, mediator


def test_a_failed_mediation_is_offered_for_legal_aid_until_an_application_follows(client, aid):
    w = aid
    dispute, mediator = _failed_dispute(w)
    client.force_login(mediator)  # a member of 西关社区, which runs the village's room
    home = client.get(reverse("legal:home")).content.decode()
    assert f'data-testid="refer-{dispute.number}"' in home
    form = client.get(reverse("legal:aid_apply"), {"dispute": dispute.number, "for": "other"})
    assert "包工头拖欠三个月工资" in form.content.decode()
    client.force_login(w.resident)  # enters no application for others
    assert 'data-testid="failed-mediations"' not in client.get(reverse("legal:home")).text
    aid_services.do_apply(
        data=aid_services.ApplicationIn(
            matter_type_id=w.wages.pk,
            summary="包工头拖欠三个月工资，调解不成",
            region_id=w.regions.xiguan.pk,
            name="马福贵",
            id_number=id_number(),
            phone="13900001111",
            household_size=3,
            monthly_income_per_head=Decimal("800"),
            pledge=True,
            service_point_id=w.xiguan_point.pk,  # entered at the village's room
        ),
        actor=mediator,
        on_behalf=True,
        dispute=dispute,
    )
    client.force_login(mediator)
    assert f'data-testid="refer-{dispute.number}"' not in client.get(reverse("legal:home")).text

"""The 海东 demo: regions and grids, organisations and people, categories, half a year of
cases, and a year of disputes with their screening rounds.

One module here per domain seeds its part (``regions``, ``accounts``, ``categories``,
``questions``, ``cases``, ``desks``, ``mediation``, ``people``, ``sensing``, ``surveys``, ``legal``,
``deliberation``, ``community``, ``command``);
this module runs them in order in one transaction, then trains the triage classifier on the demo's closed cases.
Every part is idempotent, so loading twice changes nothing.
"""

from django.db import transaction

from gongzhi.demo import accounts as people
from gongzhi.demo import (
    cases,
    categories,
    command,
    community,
    deliberation,
    desks,
    legal,
    mediation,
    questions,
    regions,
    sensing,
    streets,
    surveys,
)
from gongzhi.demo import people as register
from gongzhi.triage import services as triage
from gongzhi.triage.models import TriageModel

# The demo's first login; its presence marks a database the demo was loaded into before.
DEMO_MARKER = "demo_admin"


class NotADemoDatabase(Exception):
    pass


def check_demo_database() -> None:
    """Refuse a database that is not a demo. Every demo login, a superuser among them,
    shares a published password: loaded next to real accounts or real reports they would
    be a door anyone can open. Only an empty database, or one the demo was loaded into
    before, takes the demo."""
    from gongzhi.accounts.models import User
    from gongzhi.cases.models import Case

    if User.objects.filter(username=DEMO_MARKER).exists():
        return
    if User.objects.exists() or Case.objects.exists():
        raise NotADemoDatabase(
            "This database holds accounts or reports that are not the demo's: the demo, "
            "whose logins share a published password, is never loaded into it. For a real "
            "installation create the first account with `gongzhi createsuperuser`."
        )


def load(*, stdout=None) -> dict:
    check_demo_database()
    with transaction.atomic():
        region_counts = regions.load(stdout=stdout)
        streets.load(stdout=stdout)  # the street gazetteer of the county seats
        logins = people.load(stdout=stdout)
        categories.load(stdout=stdout)
        questions.load(stdout=stdout)
        case_counts = cases.load(stdout=stdout)
        # The hotline's desk: knowledge base, split calls, suspensions (on the cases above).
        desk_counts = desks.load(stdout=stdout)
        # After the cases: a dispute converted from the case queue names its case.
        mediation_counts = mediation.load(stdout=stdout)
        register.load(stdout=stdout)  # houses, households, residents, care, visits, check-ins
        sensing_counts = sensing.load(stdout=stdout)  # cameras, devices, readings, alarms
        surveys_counts = surveys.load(stdout=stdout)  # a safety survey of last month
        # Legal aid, questions, notary bookings, 普法 (a failed dispute may lead to aid).
        legal_result = legal.load(stdout=stdout)
        logins = [*logins, *legal_result["logins"]]
        hall = deliberation.load(stdout=stdout)  # 百姓议事厅: needs the register and accounts
        logins = [*logins, *hall["logins"]]
        # 智慧社区/智慧乡村: estates, volunteers, patrols, points (needs the register).
        neighbourhood = community.load(stdout=stdout)
        logins = [*logins, *neighbourhood["logins"]]
        # Last: the rollups, warnings and monthly reports read everything above.
        command_counts = command.load(stdout=stdout)
        _exempt_from_two_factor(stdout=stdout)
    model = _triage_model()
    return {
        "regions": region_counts,
        "logins": logins,
        "cases": case_counts,
        "desks": desk_counts,
        "mediation": mediation_counts,
        "sensing": sensing_counts,
        "surveys": surveys_counts,
        "legal": legal_result["counts"],
        "deliberation": hall["counts"],
        "community": neighbourhood["counts"],
        "command": command_counts,
        "triage_model": model,
        "assessed": _assess_open_cases() if model else {"n": 0, "pending": 0},
    }


def _exempt_from_two_factor(*, stdout=None) -> int:
    """Every demo login signs in without a phone: staff's two-step sign-in (accounts.otp) is
    waived for them by a row each. Only a demo database holds them (check_demo_database),
    and their password is published: they must never exist anywhere else."""
    from gongzhi.accounts.models import TwoFactorExemption, User

    reason = "DEMO ONLY: a demo login, whose password is published"
    missing = User.objects.filter(two_factor_exemption__isnull=True)
    made = TwoFactorExemption.objects.bulk_create(
        [TwoFactorExemption(user=user, reason=reason) for user in missing]
    )
    if stdout is not None and made:
        stdout.write(
            f"WARNING: DEMO ONLY. {len(made)} demo logins sign in WITHOUT two-step "
            "verification (exempted). Never load the demo where real people work.\n"
        )
    return len(made)


def _assess_open_cases() -> dict:
    """Assess the history's open cases with the new model, as intake's follow-up would have:
    the dispatcher's triage queue then holds the ones it was unsure of."""
    from gongzhi.cases.choices import FINAL_STATES
    from gongzhi.cases.models import Case
    from gongzhi.cases.triage import hooks as triage_hooks
    from gongzhi.triage.models import Assessment, AssessmentStatus

    done = Assessment.objects.values("case_ref")
    open_cases = list(
        Case.objects.exclude(state__in=FINAL_STATES)
        .exclude(number__in=done)
        .select_related("category")
    )
    assessed = triage_hooks.check_assessments(open_cases)
    with transaction.atomic():
        triage_hooks.record_assessments(assessed)
    pending = Assessment.objects.filter(
        case_ref__in=list(assessed), status=AssessmentStatus.PENDING
    ).count()
    return {"n": len(assessed), "pending": pending}


def _triage_model() -> str | None:
    """Train the category classifier on the demo's closed cases, once, so new reports get a
    predicted category from the first minute (a few seconds of training)."""
    if TriageModel.objects.filter(is_active=True).exists():
        return None
    try:
        return triage.do_train(triage.platform_records(), source="platform").version
    except triage.TriageError:  # too few closed cases to learn from: leave triage untrained
        return None

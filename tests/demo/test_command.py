"""The demo's public-safety figures: every township of 海东 for each month of the demo's
history, plausible, imported once through the police's template and the real import."""

from django.utils import timezone

from gongzhi.command import safety
from gongzhi.command.models import PublicSafetyFigure
from gongzhi.demo import command as demo_command
from gongzhi.regions.models import Region, RegionLevel


def test_every_township_has_plausible_figures_for_each_month_of_the_history(demo):
    result = demo_command.public_safety()
    townships = Region.objects.filter(
        level=RegionLevel.TOWNSHIP, path__startswith="/630000/630200/"
    )
    months = demo_command.demo_months()
    assert 6 <= len(months) <= 7
    assert months[-1] < timezone.localdate().replace(day=1)  # a month's figures come after it
    assert (
        result["imported"] == PublicSafetyFigure.objects.count() == townships.count() * len(months)
    )
    figures = list(PublicSafetyFigure.objects.all())
    assert all(f.fraud + f.theft <= f.criminal <= f.public_order for f in figures)
    assert all(f.source_name and f.imported_by is None for f in figures)
    assert 2 <= sum(f.criminal for f in figures) / len(figures) <= 12
    assert demo_command.public_safety() == {}  # once

    # The figures page's data for the whole city: a line a month.
    from gongzhi.accounts.models import User

    admin = User.objects.create_superuser("demo-admin", password="x")
    data = safety.figures_for(viewer=admin, start=months[0], end=safety.add_months(months[-1], 1))
    assert [t["townships"] for t in data["totals"][:-1]] == [townships.count()] * len(months)

"""Issue 24, items 1 and 4: every merge a person takes is a verdict (labelled data), not only
the answers to merge offers; the duplicate scorer's calibration is refitted from the
verdicts when there are enough of them and the refit is better on verdicts it did not see;
``gongzhi triage calibrate`` and ``train`` say what they did."""

import csv
import json
import math
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from gongzhi.cases.models import Case
from gongzhi.cases.triage import hooks as triage_hooks
from gongzhi.triage import calibration, resemblance
from gongzhi.triage.models import DuplicateCalibration, MergeOffer
from tests.factories import report_case

from .test_decisions_pages import week_row

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _fresh_calibration():
    """Each process keeps its copy of the calibration in force: none outlives a test."""
    calibration.forget()
    yield
    calibration.forget()


def two_reports(world):
    first = report_case(
        world, world.manhole, title="西关路口井盖丢失", description="西关社区路口井盖丢失，很危险"
    )
    again = report_case(
        world,
        world.manhole,
        title="西关路口井盖丢了",
        description="西关社区路口的井盖丢了",
        lng=world.point[0] + 0.0005,
        lat=world.point[1],
    )
    return first, again


def test_a_merge_on_the_case_page_is_a_verdict_counted_on_the_triage_page(world, client, tmp_path):
    first, again = two_reports(world)
    client.force_login(world.dispatcher)
    response = client.post(
        f"/cases/{again.number}/act/merge/",
        {"into": first.number, "note": "同一个井盖", "expected_state": again.state},
    )
    assert response.status_code == 302
    assert Case.objects.get(pk=again.pk).state == "merged"

    offer = MergeOffer.objects.get()
    assert (offer.case_ref, offer.other_ref) == (again.number, first.number)
    assert offer.accepted and offer.source == "case" and offer.decided_by == world.dispatcher
    assert offer.title == again.title and offer.other_text == first.description
    # What the scorer read is kept: the calibration refits from it.
    assert set(resemblance.FEATURES) <= set(offer.features)
    assert calibration.log_odds(offer.features) is not None
    assert offer.score is not None and offer.why["distance_m"] < 100
    counted = week_row(client.get("/cases/triage/").content.decode())
    assert (counted["merged"], counted["rejected"]) == (1, 0)
    # And exported as a labelled pair that says where it was decided.
    out = tmp_path / "merges.csv"
    call_command("triage", "export", "--kind", "merges", "--out", str(out), stdout=StringIO())
    with out.open(encoding="utf-8") as fh:
        (row,) = list(csv.DictReader(fh))
    assert (row["case_ref"], row["label"], row["source"]) == (again.number, "1", "case")


def test_an_accepted_offer_is_one_verdict_marked_as_the_offer(world, client):
    first, again = two_reports(world)
    client.force_login(world.dispatcher)
    client.post(
        f"/cases/{again.number}/similar/verdict/",
        {"into": first.number, "verdict": "merge", "expected_state": again.state},
    )
    offer = MergeOffer.objects.get()
    assert offer.accepted and offer.source == "offer"


def test_me_too_on_the_intake_hint_is_a_verdict_on_the_typed_words(world, client):
    first, _again = two_reports(world)
    client.force_login(world.other_resident)
    typed = "西关路口井盖没有了，晚上走路危险，电话13912345678"
    page = client.post(
        f"/cases/nearby/{first.number}/support/",
        {"description": typed, "lng": str(world.point[0]), "lat": str(world.point[1])},
    )
    assert page.status_code == 200
    offer = MergeOffer.objects.get(source="hint")
    support = first.supports.get()
    assert (offer.case_ref, offer.other_ref, offer.accepted) == (
        f"S{support.pk}", first.number, True,
    )  # fmt: skip
    assert "井盖没有了" in offer.text and "13912345678" not in offer.text
    assert offer.why["distance_m"] == 0 and offer.score > 0.5
    # A resident's "me too" is not a dispatcher's decision: the triage page does not count it.
    client.force_login(world.dispatcher)
    assert 'data-testid="figures-empty"' in client.get("/cases/triage/").content.decode()

    # Without words there is no pair to learn from: the support alone is kept.
    client.force_login(world.grid_worker)
    client.post(f"/cases/nearby/{first.number}/support/")
    assert first.supports.count() == 2 and MergeOffer.objects.count() == 1


# -- the calibration --------------------------------------------------------------------------
def features_for(z: float) -> dict:
    """Features on which the shipped model says log-odds ``z``."""
    m = resemblance.model()
    values = dict.fromkeys(resemblance.FEATURES, 0.0)
    values["words"] = (z - m.intercept) / m.coefficients["words"]
    return {**values, "same_category": None}


def verdict(n: int, z: float, merged: bool, *, at=None) -> MergeOffer:
    offer = MergeOffer.objects.create(
        case_ref=f"HD-20261201-{n:06d}",
        other_ref=f"HD-20261130-{n:06d}",
        accepted=merged,
        source="offer",
        features=features_for(z),
        title="t",
        other_title="o",
    )
    if at is not None:
        MergeOffer.objects.filter(pk=offer.pk).update(updated_at=at)
    return offer


def repeats_at(i: int, z: float) -> bool:
    """The platform's dispatchers merge more readily than the shipped model thinks: a pair is
    a repeat from log-odds -1.5 up (the shipped model says 50 % at 0), but one verdict in
    seven goes the other way."""
    return (z >= -1.5) != (i % 7 == 3)


ZS = [-4 + 8 * i / 59 for i in range(60)]


def test_too_few_verdicts_keep_the_shipped_calibration_and_say_why(world):
    for i, z in enumerate(ZS[:20]):
        verdict(i, z, repeats_at(i, z))
    out = StringIO()
    call_command("triage", "calibrate", stdout=out)
    said = json.loads(out.getvalue())
    assert said["status"] == "skipped" and "30 needed" in said["reason"]
    assert not DuplicateCalibration.objects.exists()
    calibration.forget()
    assert calibration.current() == calibration.SHIPPED


def test_enough_verdicts_refit_the_chance_so_that_50_percent_holds(world):
    for i, z in enumerate(ZS):
        verdict(i, z, repeats_at(i, z))
    shipped = calibration.SHIPPED
    assert shipped.chance_of(-1.0) < 0.5  # a repeat here, not offered by the shipped chance
    out = StringIO()
    call_command("triage", "calibrate", stdout=out)
    said = json.loads(out.getvalue())
    assert said["status"] == "activated", said
    compared = said["compared"]
    assert compared["candidate_log_loss"] < compared["previous_log_loss"]
    assert (
        compared["candidate_at_threshold"]["recall"] > compared["previous_at_threshold"]["recall"]
    )
    calibration.forget()
    now = calibration.current()
    assert now == calibration.Calibration(
        said["candidate"]["slope"], said["candidate"]["intercept"]
    )
    # The offer threshold (0.5) now sits where the verdicts change from rejected to merged.
    assert now.chance_of(-1.0) >= 0.5 > now.chance_of(-2.5)
    assert -2.0 < said["candidate"]["threshold_log_odds"] < -1.0
    row = DuplicateCalibration.objects.get(is_active=True)
    assert (row.n_verdicts, row.n_merged) == (60, sum(repeats_at(i, z) for i, z in enumerate(ZS)))

    # The platform's scores use it: the chance shown for a pair is the recalibrated one.
    first, again = two_reports(world)
    shown = triage_hooks.similar_open_cases(case=again, viewer=world.dispatcher)
    found = {r["case"].number: r for r in shown}[first.number]
    z = resemblance.model().log_odds(_features(again, first), same_category=True)
    assert found["score"] == pytest.approx(now.chance_of(z), abs=1e-4)

    # Run again with no new verdicts: nothing to compare on, the calibration stays.
    calibration.forget()
    again_said = calibration.do_calibrate()
    assert again_said["status"] == "skipped" and "new verdicts" in again_said["reason"]
    assert DuplicateCalibration.objects.filter(is_active=True).get() == row


def _features(case, other) -> dict:
    from gongzhi.triage import duplicates

    found = duplicates.score_pair(triage_hooks.as_record(case), triage_hooks.as_record(other))
    return {k: found.features[k] for k in resemblance.FEATURES}


def test_a_refit_worse_on_the_new_verdicts_keeps_the_previous_calibration(world):
    # In force since yesterday: the shipped mapping, which the new verdicts follow.
    since = timezone.now() - timedelta(days=1)
    previous = DuplicateCalibration.objects.create(
        slope=1.0, intercept=0.0, n_verdicts=0, n_merged=0, is_active=True
    )
    DuplicateCalibration.objects.filter(pk=previous.pk).update(created_at=since)
    # Many older verdicts said the opposite (a confused week), the new ones agree with it.
    for i, z in enumerate(ZS):
        verdict(i, z, z < 0, at=since - timedelta(days=3))
    for i, z in enumerate(ZS[::3]):
        verdict(100 + i, z, z >= 0, at=since + timedelta(hours=1))
    said = calibration.do_calibrate()
    assert said["status"] == "kept_previous", said
    assert said["new"] == 20
    assert said["compared"]["candidate_log_loss"] >= said["compared"]["previous_log_loss"]
    assert DuplicateCalibration.objects.get(is_active=True) == previous


def test_train_also_calibrates_and_says_what_it_did(world, tmp_path):
    data = tmp_path / "labelled.csv"
    lines = ["title,detail,label"]
    for i in range(12):
        lines.append(f"井盖丢失{i},路口井盖丢失{i},roads/manhole")
        lines.append(f"拖欠工资{i},公司拖欠工资{i},labour/wages")
    data.write_text("\n".join(lines), encoding="utf-8")
    out = StringIO()
    call_command("triage", "train", "--data", str(data), "--no-holdout", stdout=out)
    said = json.loads(out.getvalue())
    assert said["active"] is True
    assert said["duplicate_calibration"]["status"] == "skipped"
    assert "verdicts" in said["duplicate_calibration"]["reason"]


def test_the_fit_recovers_a_known_mapping():
    zs = [-5 + 10 * i / 399 for i in range(400)]
    # Labels drawn deterministically from sigmoid(0.5 z + 1): the fraction merged in each bin.
    labels = [
        int((i * 0.618034) % 1 < 1 / (1 + math.exp(-(0.5 * z + 1)))) for i, z in enumerate(zs)
    ]
    found = calibration.fit(zs, labels, strength=0.0)
    assert found.slope == pytest.approx(0.5, abs=0.12)
    assert found.intercept == pytest.approx(1.0, abs=0.25)

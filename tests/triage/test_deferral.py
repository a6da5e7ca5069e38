"""Issue 24, items 3 and 4, through the CLI: coverage figures, a threshold calibrated on
held-out folds for the policy's coverage target, retraining from the dispatchers'
decisions (kept only when not worse), the schedule, and the decisions exported as CSV."""

import csv
import json
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from gongzhi.core.models import AuditLog
from gongzhi.triage import services
from gongzhi.triage.evaluation import threshold_for
from gongzhi.triage.models import TrainingLabel, TriageModel, TriagePolicy

from .corpus import TOPICS, records, write_csv


def run(*args) -> dict | list:
    out = StringIO()
    call_command("triage", *args, stdout=out)
    return json.loads(out.getvalue())


def test_evaluate_prints_figures_at_each_coverage_and_top_k(corpus_csv):
    result = run("evaluate", "--data", corpus_csv, "--folds", "3", "--seed", "1")
    cov = result["coverage"]
    assert list(cov) == ["70%", "80%", "85%", "90%", "100%"]
    assert [cov[k]["n"] for k in cov] == [105, 120, 128, 135, 150]
    # Full coverage is the plain cross-validation; the most confident share is no worse.
    assert cov["100%"]["accuracy"] == result["accuracy"]
    assert cov["100%"]["macro_f1"] == result["macro_f1"]
    assert cov["70%"]["accuracy"] >= cov["100%"]["accuracy"]
    # A smaller share is the more confident one: its threshold is at least as high.
    thresholds = [cov[k]["threshold"] for k in cov]
    assert thresholds == sorted(thresholds, reverse=True)
    assert result["accuracy"] <= result["top2_accuracy"] <= result["top3_accuracy"] <= 1


def test_evaluate_on_the_teddy_set(teddy):
    """The real data, on a slice (the full figures are bench/triage.py's)."""
    from gongzhi.triage.evaluation import cross_validate, read_csv

    rows = read_csv(
        teddy / "labeled_messages.csv", text_cols=["title", "detail"], label_col="label"
    )
    result = cross_validate(rows[:1500], folds=3, seed=0, latency_sample=20)
    assert result["coverage"]["85%"]["macro_f1"] > result["coverage"]["100%"]["macro_f1"]
    assert result["top2_accuracy"] > 0.9


@pytest.mark.django_db
def test_training_calibrates_the_threshold_for_the_policys_coverage(corpus_csv):
    trained = run("train", "--data", corpus_csv)
    metrics = TriageModel.objects.get(version=trained["version"]).metrics
    assert metrics["holdout"] == "grouped 3-fold" and metrics["n_test"] == 150
    curve = metrics["coverage_curve"]
    assert set(metrics["coverage"]) == {"70%", "80%", "85%", "90%", "100%"}

    # The policy states a share (85 % by default); the model's own threshold achieves it.
    result = run("classify", "夜间施工噪音扰民", "工地半夜还在施工")
    assert result["coverage_target"] == 0.85
    assert result["threshold"] == round(threshold_for(curve, 0.85), 4)
    # Routing less automatically means a higher bar.
    TriagePolicy.objects.update(coverage_target=0.7)
    services.forget_policy()
    stricter = run("classify", "夜间施工噪音扰民", "工地半夜还在施工")
    assert stricter["coverage_target"] == 0.7
    assert stricter["threshold"] >= result["threshold"]
    # Each suggestion says which words weighed most for it.
    assert "噪音" in "".join(result["predictions"][0]["words"])


@pytest.mark.django_db
def test_a_model_trained_without_folds_uses_the_fallback_threshold(corpus_csv):
    run("train", "--data", corpus_csv, "--no-holdout")
    TriagePolicy.objects.update(confidence_threshold=0.42)
    services.forget_policy()
    result = run("classify", "餐馆油烟扰民")
    assert result["threshold"] == 0.42 and result["coverage_target"] is None


def _decide(rows, *, label_of=None):
    for i, r in enumerate(rows):
        services.do_record_label(
            case_ref=f"HD{i:05d}",
            title=r["title"],
            text=r["detail"],
            label=label_of(r) if label_of else r["label"],
        )


ROTATE = dict(zip(TOPICS, list(TOPICS)[1:] + list(TOPICS)[:1], strict=True))


@pytest.mark.django_db
def test_retraining_keeps_the_previous_model_when_the_new_one_is_worse(tmp_path):
    good = records()
    first = run("train", "--data", write_csv(tmp_path / "good.csv", good), "--no-holdout")
    # Nothing new since: nothing to retrain on.
    skipped = run("train", "--from-decisions", "--data", str(tmp_path / "good.csv"))
    assert skipped["status"] == "skipped" and skipped["new_decisions"] == 0

    # A badly imported file (every label shifted by one category) and 25 right decisions:
    # the candidate is worse than the active model on those decisions, so it is not used.
    _decide(records(n_per_label=5, seed=7))
    bad = [{**r, "label": ROTATE[r["label"]]} for r in good]
    kept = run("train", "--from-decisions", "--data", write_csv(tmp_path / "bad.csv", bad))
    assert kept["status"] == "kept_previous", kept
    assert kept["compared"]["n"] == 25
    assert kept["compared"]["candidate_accuracy"] < kept["compared"]["previous_accuracy"]
    assert TriageModel.objects.get(is_active=True).version == first["version"]
    assert TriageModel.objects.count() == 1
    entry = AuditLog.objects.filter(action="triage_retrain").latest("seq")
    assert entry.reason.startswith("kept_previous: 25 new decisions")


@pytest.mark.django_db
def test_retraining_activates_a_model_that_learnt_a_new_category(tmp_path):
    known = [r for r in records() if r["label"] != "教育文体"]
    first = run("train", "--data", write_csv(tmp_path / "known.csv", known), "--no-holdout")
    # Dispatchers keep filing reports under a category the active model never learnt.
    _decide([r for r in records(n_per_label=24, seed=5) if r["label"] == "教育文体"])
    assert TrainingLabel.objects.count() == 24

    # Fewer new decisions than the policy asks for: wait (unless forced).
    TriagePolicy.objects.update(retrain_min_decisions=30)
    services.forget_policy()
    waited = run("train", "--from-decisions", "--data", str(tmp_path / "known.csv"))
    assert waited["status"] == "skipped"

    done = run("train", "--from-decisions", "--force", "--data", str(tmp_path / "known.csv"))
    assert done["status"] == "activated", done
    assert done["compared"]["previous_accuracy"] == 0
    assert done["compared"]["candidate_accuracy"] > 0.8
    active = TriageModel.objects.get(is_active=True)
    assert active.version == done["version"] != first["version"]
    assert active.source.endswith("+decisions") and active.label_counts["教育文体"] == 24
    assert active.metrics["compared"]["n"] == 24
    assert run("classify", "学校乱收补课费")["predictions"][0]["label"] == "教育文体"


def test_from_decisions_cannot_skip_the_comparison():
    with pytest.raises(CommandError, match="--from-decisions"):
        run("train", "--from-decisions", "--no-activate")


@pytest.mark.django_db
def test_the_watcher_queues_a_retraining_on_the_policys_schedule(
    django_capture_on_commit_callbacks,
):
    from django_tasks_db.models import DBTaskResult

    from gongzhi.core import periodic

    now = timezone.now()
    queued = DBTaskResult.objects.filter(task_path="gongzhi.triage.tasks.retrain")
    # The first tick starts the clock (a new platform has nothing to learn from yet).
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic.run_all(now=now)["triage"] == {"retrain_queued": 0}
    assert queued.count() == 0
    # Weekly by default: not the next day, after a week, then not again the next day.
    with django_capture_on_commit_callbacks(execute=True):
        assert periodic.run_all(now=now + timedelta(days=1))["triage"]["retrain_queued"] == 0
        assert periodic.run_all(now=now + timedelta(days=7))["triage"]["retrain_queued"] == 1
        assert periodic.run_all(now=now + timedelta(days=8))["triage"]["retrain_queued"] == 0
    assert queued.count() == 1
    TriagePolicy.objects.update(retrain="off")
    assert periodic.run_all(now=now + timedelta(days=30))["triage"]["retrain_queued"] == 0


@pytest.mark.django_db
def test_the_retraining_task_without_data_skips_and_says_why():
    from gongzhi.triage import tasks

    done = tasks.retrain.call()
    assert (done["status"], done["reason"]) == ("skipped", "too_little_data")
    # The duplicate calibration is refitted too, and says why it was not.
    assert done["duplicate_calibration"]["status"] == "skipped"


@pytest.mark.django_db
def test_confirmed_categories_export_as_a_training_file(tmp_path):
    rows = records(n_per_label=4, seed=3)
    _decide(rows)
    out = tmp_path / "decisions.csv"
    assert run("export", "--out", str(out)) == {"kind": "categories", "rows": 20, "out": str(out)}
    with out.open(encoding="utf-8") as fh:
        written = list(csv.DictReader(fh))
    assert [w["label"] for w in written] == [r["label"] for r in rows]
    assert AuditLog.objects.filter(action="triage_export").count() == 1
    # The file is what `gongzhi triage train` reads.
    trained = run("train", "--data", str(out), "--no-holdout")
    assert TriageModel.objects.get(version=trained["version"]).n_train == 20

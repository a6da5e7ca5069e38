"""The key that referred a dispute was kept in its timeline (a ``refer`` entry naming the
key's id); it is now the dispute's ``referral`` column. A key and reference named twice
(which the old lock should have prevented) keeps the first dispute."""

from django.db import migrations


def forward(apps, schema_editor):
    Dispute = apps.get_model("mediation", "Dispute")
    DisputeEvent = apps.get_model("mediation", "DisputeEvent")
    ReferralToken = apps.get_model("mediation", "ReferralToken")
    keys = set(ReferralToken.objects.values_list("pk", flat=True))
    taken = set()
    entries = (
        DisputeEvent.objects.filter(action="refer")
        .order_by("dispute_id", "id")
        .values_list("dispute_id", "dispute__external_ref", "data")
    )
    for dispute_id, ref, data in entries.iterator(chunk_size=2000):
        key = data.get("key") if isinstance(data, dict) else None
        if key not in keys or (key, ref) in taken:
            continue
        taken.add((key, ref))
        Dispute.objects.filter(pk=dispute_id, referral__isnull=True).update(referral_id=key)


class Migration(migrations.Migration):
    dependencies = [
        ("mediation", "0005_referral_and_idempotency"),
    ]

    # Its own migration: on PostgreSQL a table with rows just updated in a transaction
    # cannot be altered in it (the constraint follows in 0007).
    operations = [migrations.RunPython(forward, migrations.RunPython.noop)]

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mediation", "0006_referral_from_timeline"),
    ]

    operations = [
        migrations.AddConstraint(
            model_name="dispute",
            constraint=models.UniqueConstraint(
                condition=models.Q(("referral__isnull", False)),
                fields=("referral", "external_ref"),
                name="one_dispute_per_referral",
            ),
        ),
    ]

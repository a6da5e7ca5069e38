import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("mediation", "0004_board_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="dispute",
            name="idempotency_key",
            field=models.CharField(
                blank=True,
                editable=False,
                max_length=80,
                null=True,
                unique=True,
                verbose_name="idempotency key",
            ),
        ),
        migrations.AddField(
            model_name="dispute",
            name="referral",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="disputes",
                to="mediation.referraltoken",
                verbose_name="referred with",
            ),
        ),
        migrations.AddField(
            model_name="dispute",
            name="request_digest",
            field=models.CharField(blank=True, editable=False, max_length=64),
        ),
    ]

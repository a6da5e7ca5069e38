"""The daily and monthly rollups: case figures per day (month) and township, the grid and
duration rows, the marks of the days to recount."""

from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True
    dependencies = []

    operations = [
        migrations.CreateModel(
            name="RollupClock",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("name", models.CharField(max_length=40, unique=True, verbose_name="name")),
                ("at", models.DateTimeField(verbose_name="at")),
            ],
            options={
                "verbose_name": "rollup clock",
                "verbose_name_plural": "rollup clocks",
            },
        ),
        migrations.CreateModel(
            name="CaseDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                (
                    "region_path",
                    models.CharField(blank=True, max_length=64, verbose_name="township path"),
                ),
                ("unit", models.IntegerField(default=0, verbose_name="lead unit id")),
                (
                    "reported",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="reported"),
                ),
                (
                    "closed",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="closed"),
                ),
                (
                    "open",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="still open"),
                ),
                (
                    "overdue",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="overdue"),
                ),
                (
                    "returned",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="returned by a unit"
                    ),
                ),
                (
                    "response_base",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="sign-for deadlines decided"
                    ),
                ),
                (
                    "responded",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="signed for in time"
                    ),
                ),
                (
                    "rated",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="rated in a callback"
                    ),
                ),
                (
                    "solved",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="said solved"
                    ),
                ),
                (
                    "satisfied",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="satisfied"),
                ),
                ("category", models.IntegerField(verbose_name="first-level category id")),
                ("channel", models.CharField(max_length=20, verbose_name="channel")),
            ],
            options={
                "verbose_name": "daily case figures",
                "verbose_name_plural": "daily case figures",
                "indexes": [
                    models.Index(fields=["day", "region_path"], name="command_caseday_day_path")
                ],
            },
        ),
        migrations.CreateModel(
            name="CaseMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                (
                    "region_path",
                    models.CharField(blank=True, max_length=64, verbose_name="township path"),
                ),
                ("unit", models.IntegerField(default=0, verbose_name="lead unit id")),
                (
                    "reported",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="reported"),
                ),
                (
                    "closed",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="closed"),
                ),
                (
                    "open",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="still open"),
                ),
                (
                    "overdue",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="overdue"),
                ),
                (
                    "returned",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="returned by a unit"
                    ),
                ),
                (
                    "response_base",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="sign-for deadlines decided"
                    ),
                ),
                (
                    "responded",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="signed for in time"
                    ),
                ),
                (
                    "rated",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="rated in a callback"
                    ),
                ),
                (
                    "solved",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="said solved"
                    ),
                ),
                (
                    "satisfied",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="satisfied"),
                ),
                ("category", models.IntegerField(verbose_name="first-level category id")),
                ("channel", models.CharField(max_length=20, verbose_name="channel")),
            ],
            options={
                "verbose_name": "monthly case figures",
                "verbose_name_plural": "monthly case figures",
                "indexes": [
                    models.Index(fields=["day", "region_path"], name="command_casemonth_day_path")
                ],
            },
        ),
        migrations.CreateModel(
            name="DurationDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day reported")),
                (
                    "region_path",
                    models.CharField(blank=True, max_length=64, verbose_name="township path"),
                ),
                ("unit", models.IntegerField(default=0, verbose_name="lead unit id")),
                ("category", models.IntegerField(verbose_name="first-level category id")),
                ("channel", models.CharField(max_length=20, verbose_name="channel")),
                (
                    "kind",
                    models.CharField(
                        choices=[("sign", "Time to sign for"), ("resolve", "Time to resolve")],
                        max_length=8,
                        verbose_name="kind",
                    ),
                ),
                ("bucket", models.PositiveSmallIntegerField(verbose_name="bucket")),
                (
                    "count",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="cases"),
                ),
            ],
            options={
                "verbose_name": "daily durations",
                "verbose_name_plural": "daily durations",
                "indexes": [
                    models.Index(fields=["day", "region_path"], name="command_durationday_day_path")
                ],
            },
        ),
        migrations.CreateModel(
            name="DurationMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day reported")),
                (
                    "region_path",
                    models.CharField(blank=True, max_length=64, verbose_name="township path"),
                ),
                ("unit", models.IntegerField(default=0, verbose_name="lead unit id")),
                ("category", models.IntegerField(verbose_name="first-level category id")),
                ("channel", models.CharField(max_length=20, verbose_name="channel")),
                (
                    "kind",
                    models.CharField(
                        choices=[("sign", "Time to sign for"), ("resolve", "Time to resolve")],
                        max_length=8,
                        verbose_name="kind",
                    ),
                ),
                ("bucket", models.PositiveSmallIntegerField(verbose_name="bucket")),
                (
                    "count",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="cases"),
                ),
            ],
            options={
                "verbose_name": "monthly durations",
                "verbose_name_plural": "monthly durations",
                "indexes": [
                    models.Index(
                        fields=["day", "region_path"], name="command_durationmonth_day_path"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="GridDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                (
                    "region_path",
                    models.CharField(blank=True, max_length=64, verbose_name="township path"),
                ),
                ("unit", models.IntegerField(default=0, verbose_name="lead unit id")),
                (
                    "reported",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="reported"),
                ),
                (
                    "closed",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="closed"),
                ),
                (
                    "open",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="still open"),
                ),
                (
                    "overdue",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="overdue"),
                ),
                (
                    "returned",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="returned by a unit"
                    ),
                ),
                (
                    "response_base",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="sign-for deadlines decided"
                    ),
                ),
                (
                    "responded",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="signed for in time"
                    ),
                ),
                (
                    "rated",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="rated in a callback"
                    ),
                ),
                (
                    "solved",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="said solved"
                    ),
                ),
                (
                    "satisfied",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="satisfied"),
                ),
                ("grid", models.IntegerField(default=0, verbose_name="grid id")),
            ],
            options={
                "verbose_name": "daily grid figures",
                "verbose_name_plural": "daily grid figures",
                "indexes": [
                    models.Index(fields=["day", "region_path"], name="command_gridday_day_path")
                ],
            },
        ),
        migrations.CreateModel(
            name="GridMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                (
                    "region_path",
                    models.CharField(blank=True, max_length=64, verbose_name="township path"),
                ),
                ("unit", models.IntegerField(default=0, verbose_name="lead unit id")),
                (
                    "reported",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="reported"),
                ),
                (
                    "closed",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="closed"),
                ),
                (
                    "open",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="still open"),
                ),
                (
                    "overdue",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="overdue"),
                ),
                (
                    "returned",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="returned by a unit"
                    ),
                ),
                (
                    "response_base",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="sign-for deadlines decided"
                    ),
                ),
                (
                    "responded",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="signed for in time"
                    ),
                ),
                (
                    "rated",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="rated in a callback"
                    ),
                ),
                (
                    "solved",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="said solved"
                    ),
                ),
                (
                    "satisfied",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="satisfied"),
                ),
                ("grid", models.IntegerField(default=0, verbose_name="grid id")),
            ],
            options={
                "verbose_name": "monthly grid figures",
                "verbose_name_plural": "monthly grid figures",
                "indexes": [
                    models.Index(fields=["day", "region_path"], name="command_gridmonth_day_path")
                ],
            },
        ),
        migrations.CreateModel(
            name="StaleDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                (
                    "region_path",
                    models.CharField(blank=True, max_length=64, verbose_name="township path"),
                ),
                ("marked_at", models.DateTimeField(auto_now_add=True, verbose_name="marked at")),
            ],
            options={
                "verbose_name": "day to recount",
                "verbose_name_plural": "days to recount",
                "constraints": [
                    models.UniqueConstraint(
                        fields=("day", "region_path"), name="command_staleday_key"
                    )
                ],
            },
        ),
        migrations.CreateModel(
            name="TownDay",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                (
                    "region_path",
                    models.CharField(blank=True, max_length=64, verbose_name="township path"),
                ),
                ("unit", models.IntegerField(default=0, verbose_name="lead unit id")),
                (
                    "reported",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="reported"),
                ),
                (
                    "closed",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="closed"),
                ),
                (
                    "open",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="still open"),
                ),
                (
                    "overdue",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="overdue"),
                ),
                (
                    "returned",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="returned by a unit"
                    ),
                ),
                (
                    "response_base",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="sign-for deadlines decided"
                    ),
                ),
                (
                    "responded",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="signed for in time"
                    ),
                ),
                (
                    "rated",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="rated in a callback"
                    ),
                ),
                (
                    "solved",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="said solved"
                    ),
                ),
                (
                    "satisfied",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="satisfied"),
                ),
            ],
            options={
                "verbose_name": "daily township figures",
                "verbose_name_plural": "daily township figures",
                "indexes": [
                    models.Index(fields=["day", "region_path"], name="command_townday_day_path")
                ],
            },
        ),
        migrations.CreateModel(
            name="TownMonth",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("day", models.DateField(verbose_name="day")),
                (
                    "region_path",
                    models.CharField(blank=True, max_length=64, verbose_name="township path"),
                ),
                ("unit", models.IntegerField(default=0, verbose_name="lead unit id")),
                (
                    "reported",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="reported"),
                ),
                (
                    "closed",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="closed"),
                ),
                (
                    "open",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="still open"),
                ),
                (
                    "overdue",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="overdue"),
                ),
                (
                    "returned",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="returned by a unit"
                    ),
                ),
                (
                    "response_base",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="sign-for deadlines decided"
                    ),
                ),
                (
                    "responded",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="signed for in time"
                    ),
                ),
                (
                    "rated",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="rated in a callback"
                    ),
                ),
                (
                    "solved",
                    models.PositiveIntegerField(
                        db_default=0, default=0, verbose_name="said solved"
                    ),
                ),
                (
                    "satisfied",
                    models.PositiveIntegerField(db_default=0, default=0, verbose_name="satisfied"),
                ),
            ],
            options={
                "verbose_name": "monthly township figures",
                "verbose_name_plural": "monthly township figures",
                "indexes": [
                    models.Index(fields=["day", "region_path"], name="command_townmonth_day_path")
                ],
            },
        ),
    ]

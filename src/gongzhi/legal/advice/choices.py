"""The advice room's choice sets: a question's state and how it reached its lawyer."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class QuestionState(models.TextChoices):
    WAITING = "waiting", _("Waiting for an answer")
    ANSWERED = "answered", _("Answered")


class Route(models.TextChoices):
    """Why the question is with its lawyer."""

    ADVISER = "adviser", _("Village legal adviser")
    DUTY = "duty", _("Lawyer on duty")
    PASSED = "passed", _("Passed on to the lawyer on duty")
    OVERDUE = "overdue", _("Rerouted when overdue")

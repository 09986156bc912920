from django.conf import settings
from django.db import models


class TrustScore(models.Model):
    """A user's trust score (0-100) as the last run of `trust.tasks.recompute_trust_scores`
    computed it from stored facts (trust/facts.py), and what the automatic actions did."""

    class Level(models.TextChoices):
        NONE = "", "No action"
        WARN = "warn", "Warned"
        HIDE = "hide", "Hidden from search"
        SUSPEND = "suspend", "Suspended"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="trust_score"
    )
    score = models.SmallIntegerField(default=100, db_index=True)
    # {fact name: {"value": count or value, "points": points subtracted}}
    components = models.JSONField(default=dict, blank=True)
    computed_at = models.DateTimeField(null=True, blank=True)
    # The most severe automatic action taken during the current drop (reset when the score
    # climbs back to the warning threshold): each action happens once per drop.
    actioned_level = models.CharField(max_length=10, choices=Level.choices, blank=True)
    actioned_at = models.DateTimeField(null=True, blank=True)
    # Staff lifted a sanction when the score was this: no automatic action again until the
    # score drops below it.
    lifted_at_score = models.SmallIntegerField(null=True, blank=True)
    lifted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["score", "user_id"]

    def __str__(self) -> str:
        return f"{self.user}: {self.score}"

from django.db import models


class DashboardLayout(models.Model):
    """A coach's Mission Control overview: widget keys in their order, and the hidden ones
    (seed 004 "customizable Overview tab"). Keys not listed (a widget added later) follow in
    the registry's order, shown."""

    coach = models.OneToOneField(
        "accounts.Coach", on_delete=models.CASCADE, related_name="dashboard_layout"
    )
    order = models.JSONField(default=list)
    hidden = models.JSONField(default=list)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"Dashboard layout of {self.coach}"

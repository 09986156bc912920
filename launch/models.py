"""Legal pages staff edit in the admin, and the leads the pre-launch landing page collects."""

from __future__ import annotations

import secrets

from django.db import models


class LegalPage(models.Model):
    class Slug(models.TextChoices):
        TERMS = "terms", "Terms of service"
        PRIVACY = "privacy", "Privacy policy"
        IMPRINT = "imprint", "Imprint"

    slug = models.SlugField(max_length=20, unique=True, choices=Slug.choices)
    title = models.CharField(max_length=200)
    body = models.TextField(help_text="Plain text; blank lines separate paragraphs.")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = "legal page"

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("launch:legal", kwargs={"slug": self.slug})


def new_lead_token() -> str:
    return secrets.token_urlsafe(32)


class Lead(models.Model):
    """Someone who left their email before launch. One row per address (stored lowercased)."""

    class Role(models.TextChoices):
        COACH = "coach", "Coach"
        CLIENT = "client", "Client"

    email = models.EmailField(unique=True)
    role = models.CharField(max_length=10, choices=Role.choices)
    token = models.CharField(max_length=64, unique=True, default=new_lead_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.email} ({self.role})"

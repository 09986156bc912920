import zoneinfo
from decimal import Decimal
from typing import ClassVar

from django.conf import settings
from django.contrib.auth.models import AbstractUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils.text import slugify


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError(f"“{value}” is not a known time zone.")


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True, role=User.Role.STAFF)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractUser):
    """A person on the platform. Signs in with their email address."""

    class Role(models.TextChoices):
        CLIENT = "client", "Client"
        COACH = "coach", "Coach"
        STAFF = "staff", "Staff"

    username = None
    email = models.EmailField("email address", unique=True)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.CLIENT)
    timezone = models.CharField(
        max_length=64, default=settings.DEFAULT_USER_TIMEZONE, validators=[validate_timezone]
    )
    stripe_customer_id = models.CharField(max_length=255, blank=True, db_index=True)
    # Mirror of the Stripe customer's invoice_settings.default_payment_method (payments.methods).
    default_payment_method_id = models.CharField(max_length=255, blank=True)
    # Email verification (accounts.verification): when the current address was confirmed, and
    # an address asked for but not confirmed yet (it replaces `email` only once verified).
    email_verified_at = models.DateTimeField(null=True, blank=True)
    pending_email = models.EmailField("new email address (unverified)", blank=True)
    # Set by the notifications app when email to this account's address hard-bounced or was
    # reported as spam (its EmailSuppression); every page then shows a banner to fix the
    # address. Cleared when the suppression is lifted or the account moves to a new address.
    email_undeliverable = models.CharField(
        "email undeliverable",
        max_length=12,
        blank=True,
        help_text="bounced / complained: we no longer email this address.",
    )
    deleted_at = models.DateTimeField(
        null=True, blank=True, help_text="The person deleted their account; the row is anonymised."
    )
    # Sanctions (accounts.suspension writes them; AccountSanction keeps the history).
    # Suspended: until `suspended_until`; banned: `banned_at` set (no end). Either way the
    # person can still log in (they see why) but cannot book, register or sell.
    suspended_until = models.DateTimeField(null=True, blank=True)
    banned_at = models.DateTimeField(null=True, blank=True)
    suspension_reason = models.TextField(blank=True)
    # Hidden from search and coach profiles (discovery), without being suspended.
    hidden_from_search_at = models.DateTimeField(null=True, blank=True)

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: ClassVar[list[str]] = []

    objects: ClassVar[UserManager] = UserManager()

    class Meta:
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_ci_unique")]

    def __str__(self) -> str:
        return self.get_full_name() or self.email

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.email.split("@")[0]

    @property
    def email_verified(self) -> bool:
        return self.email_verified_at is not None

    @property
    def is_coach(self) -> bool:
        return self.role == self.Role.COACH

    @property
    def sees_everything(self) -> bool:
        """Platform staff see every object in the admin; coaches only their own."""
        return self.is_superuser or self.role == self.Role.STAFF

    @property
    def tzinfo(self) -> zoneinfo.ZoneInfo:
        try:
            return zoneinfo.ZoneInfo(self.timezone)
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            return zoneinfo.ZoneInfo(settings.DEFAULT_USER_TIMEZONE)


LANGUAGE_CHOICES = [
    ("ar", "Arabic"),
    ("zh", "Chinese"),
    ("nl", "Dutch"),
    ("en", "English"),
    ("fr", "French"),
    ("de", "German"),
    ("hi", "Hindi"),
    ("it", "Italian"),
    ("ja", "Japanese"),
    ("pl", "Polish"),
    ("pt", "Portuguese"),
    ("ru", "Russian"),
    ("es", "Spanish"),
    ("sv", "Swedish"),
    ("tr", "Turkish"),
]


def unique_coach_slug(user, *, exclude_pk=None) -> str:
    """`first-last` (or the email's local part), with `-2`, `-3`... when taken."""
    base = slugify(f"{user.first_name} {user.last_name}") or slugify(user.email.split("@")[0])
    base = (base or "coach")[:70]
    if base.isdigit():  # /coaches/<int>/ is the id form of the profile URL
        base = f"coach-{base}"
    taken = set(
        Coach.objects.filter(slug__startswith=base)
        .exclude(pk=exclude_pk)
        .values_list("slug", flat=True)
    )
    slug, n = base, 1
    while slug in taken:
        n += 1
        slug = f"{base}-{n}"
    return slug


class Coach(models.Model):
    """A coach's public profile and business settings (one per coach user)."""

    class CalendarVisibility(models.TextChoices):
        PUBLIC = "public", "Everyone"
        CONNECTED = "connected", "Connected clients only"
        PRIVATE = "private", "Nobody (private)"

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coach_profile"
    )
    headline = models.CharField(max_length=160, blank=True)
    bio = models.TextField(blank=True)
    hourly_rate = models.DecimalField(max_digits=10, decimal_places=2, default=0)
    currency = models.CharField(max_length=3, default="CHF")
    stripe_account_id = models.CharField("Stripe Connect account id", max_length=255, blank=True)
    calendar_visibility = models.CharField(
        max_length=10, choices=CalendarVisibility.choices, default=CalendarVisibility.PUBLIC
    )
    is_listed = models.BooleanField(
        default=True,
        help_text="Shown in the directory and search; off: your profile page answers only you.",
    )
    # Set by staff moderation (moderation.targets, "hide content"): the profile is out of the
    # directory, search and the public page whatever `is_listed` says, so the coach cannot
    # simply list it again; only staff "unhide" clears it.
    hidden_by_moderation_at = models.DateTimeField(null=True, blank=True, editable=False)
    # The public profile (discovery: /coaches/<slug>/). Set once from the name, then stable:
    # renaming the coach does not break links already shared.
    slug = models.SlugField(max_length=80, unique=True, editable=False)
    # ISO 639-1 codes, comma-separated and sorted ("de,en"): see LANGUAGE_CHOICES.
    languages = models.CharField(max_length=120, blank=True, help_text="Languages you coach in.")
    # Re-encoded on upload (accounts/photos.py); served by discovery's photo view, which
    # applies the profile's visibility rules (media is never served publicly).
    photo = models.ImageField(upload_to="coach-photos/", blank=True)
    # 1:1 session pricing (bookings.pricing): VAT on top of or inside the coach's prices.
    vat_included = models.BooleanField(
        "prices include VAT",
        default=True,
        help_text="On: the rate already contains VAT. Off: VAT is added on top of the rate.",
    )
    vat_rate = models.DecimalField(
        "VAT rate (%)",
        max_digits=5,
        decimal_places=2,
        default=Decimal("8.10"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    platform_fee_percent = models.DecimalField(
        "platform fee (%)",
        max_digits=5,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text="Empty: the platform default (DEFAULT_PLATFORM_FEE_PERCENT, 15%).",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["user__first_name", "user__last_name"]
        verbose_name_plural = "coaches"

    def __str__(self) -> str:
        return str(self.user)

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = unique_coach_slug(self.user, exclude_pk=self.pk)
        super().save(*args, **kwargs)

    def get_absolute_url(self) -> str:
        return reverse("discovery:coach_profile", kwargs={"slug": self.slug})

    @property
    def photo_url(self) -> str:
        """The photo's URL, versioned by its content-hash file name (cacheable), or ""."""
        if not self.photo:
            return ""
        version = self.photo.name.rsplit("/", 1)[-1].split(".")[0]
        return f"{reverse('discovery:coach_photo', kwargs={'slug': self.slug})}?v={version}"

    @property
    def language_codes(self) -> list[str]:
        return [code for code in self.languages.split(",") if code]

    @property
    def language_names(self) -> list[str]:
        names = dict(LANGUAGE_CHOICES)
        return [names.get(code, code) for code in self.language_codes]

    @property
    def initials(self) -> str:
        first, last = self.user.first_name[:1], self.user.last_name[:1]
        return (first + last).upper() or self.user.email[:1].upper()

    @property
    def is_payment_ready(self) -> bool:
        """Stripe says the coach's Connect account can receive transfers (payments.payouts:
        details submitted, payouts enabled, `transfers` capability active)."""
        account = getattr(self, "connect_account", None)
        return bool(self.stripe_account_id) and account is not None and account.is_ready

    @property
    def effective_platform_fee_percent(self) -> Decimal:
        if self.platform_fee_percent is not None:
            return self.platform_fee_percent
        return Decimal(settings.DEFAULT_PLATFORM_FEE_PERCENT)


class Connection(models.Model):
    """A client and a coach who know each other (seed 002 connections).

    Either side asks; the other accepts or declines. An accepted connection opens a
    "connected only" calendar and lets the client book without the coach's approval when the
    session type requires approval only for non-connected clients.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    client = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coach_connections"
    )
    coach = models.ForeignKey(Coach, on_delete=models.CASCADE, related_name="connections")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    created_at = models.DateTimeField(auto_now_add=True)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["client", "coach"], name="connection_unique_pair")
        ]

    def __str__(self) -> str:
        return f"{self.client} ↔ {self.coach} ({self.status})"


class Block(models.Model):
    """`blocker` blocked `blocked`: neither sees the other's calendar or can book the other."""

    blocker = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_made"
    )
    blocked = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="blocks_received"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.UniqueConstraint(fields=["blocker", "blocked"], name="block_unique_pair"),
            models.CheckConstraint(
                condition=~models.Q(blocker=models.F("blocked")), name="block_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.blocker} blocked {self.blocked}"


class AccountSanction(models.Model):
    """One sanction taken against a user (or lifted), by moderation, the trust score or staff.

    Append-only history: the User's sanction fields hold the current state, these rows say
    who did what, when and why. A lift marks the sanctions it ends `reversed_at`/`reversed_by`
    and adds a row of kind `lift`."""

    class Kind(models.TextChoices):
        WARN = "warn", "Warning"
        HIDE_FROM_SEARCH = "hide_from_search", "Hidden from search"
        SUSPEND = "suspend", "Suspension"
        BAN = "ban", "Ban"
        LIFT = "lift", "Lifted"

    class Source(models.TextChoices):
        MODERATION = "moderation", "Moderation (flags)"
        TRUST_SCORE = "trust_score", "Trust score (automatic)"
        STAFF = "staff", "Staff"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="sanctions"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    until = models.DateTimeField(null=True, blank=True, help_text="End of a suspension.")
    reason = models.TextField(blank=True)
    source = models.CharField(max_length=20, choices=Source.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sanctions_given",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    reversed_at = models.DateTimeField(null=True, blank=True)
    reversed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="sanctions_reversed",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["user", "-created_at"], name="sanction_user_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.user} ({self.get_source_display()})"

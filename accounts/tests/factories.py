import factory
from django.contrib.auth import get_user_model

from accounts.models import Coach
from accounts.roles import make_coach

PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.com")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    timezone = "Europe/Zurich"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class CoachFactory(factory.django.DjangoModelFactory):
    """A coach user with profile, staff flag and the Coaches admin group."""

    class Meta:
        model = Coach
        django_get_or_create = ("user",)
        skip_postgeneration_save = True  # make_coach saves the user; the profile is unchanged

    user = factory.SubFactory(UserFactory)
    headline = "Leadership and career coach"
    hourly_rate = "150.00"
    currency = "CHF"
    stripe_account_id = factory.Sequence(lambda n: f"acct_test{n:08d}")

    @factory.post_generation
    def _role(obj, create, extracted, **kwargs):
        if create:
            make_coach(obj.user)

    @factory.post_generation
    def self_billing(obj, create, extracted, **kwargs):
        """Coaches have accepted the self-billing agreement by default (payouts need it);
        `CoachFactory(self_billing=False)` for one who has not."""
        if create and (extracted is None or bool(extracted)):
            from invoicing.services import self_billing_agreement_accept

            self_billing_agreement_accept(coach=obj, user=obj.user)

    @factory.post_generation
    def payments_ready(obj, create, extracted, **kwargs):
        """Coaches can take paid bookings by default: their Connect account is stored as
        Stripe reported it ready. `CoachFactory(payments_ready=False)` for one that is not."""
        if not create or not obj.stripe_account_id:
            return
        from payments.models import ConnectAccount

        ready = extracted is None or bool(extracted)
        ConnectAccount.objects.update_or_create(
            coach=obj,
            defaults={
                "stripe_account_id": obj.stripe_account_id,
                "details_submitted": ready,
                "payouts_enabled": ready,
                "transfers_capability": "active" if ready else "inactive",
                "requirements_due": [] if ready else ["external_account"],
            },
        )

"""Admin forms for 1:1 sessions: they run the services' own checks, so what the calendar page
and the services refuse is a form error in the admin too, never a 500 from `save_model`."""

from __future__ import annotations

from django import forms

from bookings import locks
from bookings.errors import BookingError
from bookings.models import AvailabilitySeries, AvailabilitySlot, DiscountCode
from bookings.services import availability


class OwnerAwareForm(forms.ModelForm):
    """The admin sets `owner` (the signed-in coach) on the form class; staff pick the coach."""

    owner = None

    def coach(self):
        if self.cleaned_data.get("coach") is not None:
            return self.cleaned_data["coach"]
        if self.instance.coach_id is not None:
            return self.instance.coach
        return self.owner

    def add_booking_error(self, error: BookingError) -> None:
        field = error.field if error.field in self.fields else None
        self.add_error(field, error.message)


class DiscountCodeAdminForm(OwnerAwareForm):
    class Meta:
        model = DiscountCode
        fields = "__all__"  # noqa: DJ007 - the admin narrows them (fieldsets, readonly)

    def clean_code(self):
        return (self.cleaned_data.get("code") or "").strip().upper()  # as the model stores it

    def clean(self):
        data = super().clean()
        coach, code = self.coach(), data.get("code")
        if coach is None or not code:
            return data
        # The admin validates and saves inside one transaction: the coach's row lock makes six
        # simultaneous adds of one code run one after the other, so the later ones see the
        # first and get this error instead of the unique constraint's IntegrityError.
        locks.lock_coach(coach.pk)
        taken = DiscountCode.objects.filter(coach=coach, code__iexact=code)
        if taken.exclude(pk=self.instance.pk).exists():
            whose = "You already have" if coach == self.owner else f"{coach} already has"
            self.add_error("code", f"{whose} a code {code}.")
        return data


class AvailabilitySlotAdminForm(OwnerAwareForm):
    class Meta:
        model = AvailabilitySlot
        fields = "__all__"  # noqa: DJ007 - the admin narrows them (fieldsets, readonly)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end"):
            try:
                availability.availability_check(start=data["start"], end=data["end"])
            except BookingError as error:
                self.add_booking_error(error)
        return data


class AvailabilitySeriesAdminForm(OwnerAwareForm):
    class Meta:
        model = AvailabilitySeries
        fields = "__all__"  # noqa: DJ007 - the admin narrows them (fieldsets, readonly)

    def clean(self):
        data = super().clean()
        needed = ("weekdays", "start_time", "end_time", "first_date", "last_date")
        if self.instance.pk is None and all(data.get(name) is not None for name in needed):
            try:
                availability.availability_check_weekly(**{name: data[name] for name in needed})
            except BookingError as error:
                self.add_booking_error(error)
        return data

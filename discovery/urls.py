from django.urls import path

from discovery import views

app_name = "discovery"

urlpatterns = [
    # The id form first: a slug is never all digits (unique_coach_slug).
    path("coaches/<int:coach_id>/", views.coach_profile, name="coach_profile_by_id"),
    path("coaches/<slug:slug>/", views.coach_profile, name="coach_profile"),
    path("coaches/<slug:slug>/photo/", views.coach_photo, name="coach_photo"),
    path("search/", views.search, name="search"),
    path("search/quick/", views.quick, name="quick"),
]

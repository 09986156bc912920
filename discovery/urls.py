from django.urls import path

from discovery import views

app_name = "discovery"

urlpatterns = [
    path("coaches/<slug:slug>/", views.coach_profile, name="coach_profile"),
    path("search/", views.search, name="search"),
    path("search/quick/", views.quick, name="quick"),
]

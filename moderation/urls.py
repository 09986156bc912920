from django.urls import path

from moderation import views

app_name = "moderation"

urlpatterns = [
    path("flags/", views.flag_create, name="flag_create"),
]

from django.urls import path

from core import my_bookings, views

app_name = "core"

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz/", views.healthz, name="healthz"),
    path("bookings/mine/", my_bookings.my_bookings, name="my_bookings"),
]

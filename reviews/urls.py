from django.urls import path

from reviews import views

app_name = "reviews"

urlpatterns = [
    path("coaches/<int:coach_id>/reviews/", views.review_create, name="create"),
    path("reviews/<int:review_id>/reply/", views.review_reply, name="reply"),
    path("reviews/<int:review_id>/edit/", views.review_edit, name="edit"),
]

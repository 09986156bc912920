from django.contrib.auth import views as auth_views
from django.urls import path

from accounts import settings_views, views

app_name = "accounts"

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    # Recovery and settings (Django's standard reset URLs, under /accounts/)
    path("password_reset/", settings_views.PasswordResetView.as_view(), name="password_reset"),
    path(
        "password_reset/done/",
        settings_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        settings_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        settings_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("password_change/", settings_views.PasswordChangeView.as_view(), name="password_change"),
    path("settings/", settings_views.account_settings, name="settings"),
    path("timezone/", settings_views.visitor_timezone, name="timezone"),
    path("settings/email/", settings_views.email_change, name="email_change"),
    path("settings/delete/", settings_views.delete_account, name="delete_account"),
    path("verify/resend/", settings_views.verify_email_resend, name="verify_email_resend"),
    path("verify/<str:token>/", settings_views.verify_email, name="verify_email"),
]

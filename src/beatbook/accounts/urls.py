from django.urls import path

from beatbook.accounts import views

app_name = "accounts"
urlpatterns = [
    path("login/", views.LoginView.as_view(), name="login"),
    path("logout/", views.logout_view, name="logout"),
    path("mfa/", views.MfaSetupView.as_view(), name="mfa_setup"),
    path("security/", views.SecurityView.as_view(), name="security"),
    path("password/", views.PasswordChangeView.as_view(), name="password_change"),
]

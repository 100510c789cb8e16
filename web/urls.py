from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from web import views
from web.forms import PasswordResetForm

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("robots.txt", views.robots_txt, name="robots"),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("profile/", views.profile, name="profile"),
    path("profile/tokens/<int:token_id>/revoke/", views.token_revoke_view, name="token-revoke"),
    path("lockouts/", views.lockout_list, name="lockouts"),
    path("password/reset/", auth_views.PasswordResetView.as_view(
        form_class=PasswordResetForm, success_url=reverse_lazy("web:password-reset-done")),
        name="password-reset"),
    path("password/reset/sent/", auth_views.PasswordResetDoneView.as_view(),
         name="password-reset-done"),
    path("password/reset/<uidb64>/<token>/", auth_views.PasswordResetConfirmView.as_view(
        success_url=reverse_lazy("web:password-reset-complete")),
        name="password-reset-confirm"),
    path("password/reset/done/", auth_views.PasswordResetCompleteView.as_view(),
         name="password-reset-complete"),
]

"""URLs of the security app, under /account/: two-step sign-in, its code step, and the admins' sign-in locks."""

from django.urls import path

from webcare.security import locks, signin, views

app_name = "security"

urlpatterns = [
    path("two-factor/", views.overview, name="two_factor"),
    path("two-factor/confirm/", views.confirm, name="two_factor_confirm"),
    path("two-factor/disable/", views.disable, name="two_factor_disable"),
    path("two-factor/recovery-codes/", views.recovery_codes, name="two_factor_recovery_codes"),
    path("sign-in/code/", signin.sign_in_code, name="sign_in_code"),
    path("locks/", locks.lock_list, name="locks"),
    path("locks/<int:user_id>/unlock/", locks.unlock, name="unlock"),
]

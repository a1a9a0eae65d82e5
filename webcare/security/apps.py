from django.apps import AppConfig


class SecurityConfig(AppConfig):
    name = "webcare.security"
    label = "security"
    verbose_name = "Security"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "webcare.access"
    label = "access"
    verbose_name = "Need-to-know access"
    default_auto_field = "django.db.models.BigAutoField"

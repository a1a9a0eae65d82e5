from django.apps import AppConfig


class GdprConfig(AppConfig):
    name = "webcare.gdpr"
    label = "gdpr"
    verbose_name = "Data subject requests"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class HoursConfig(AppConfig):
    name = "webcare.hours"
    label = "hours"
    verbose_name = "Opening hours"
    default_auto_field = "django.db.models.BigAutoField"

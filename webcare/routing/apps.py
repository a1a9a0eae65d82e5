from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "webcare.routing"
    label = "routing"
    verbose_name = "Routing and assignment"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class RoutingConfig(AppConfig):
    name = "webcare.routing"
    label = "routing"
    verbose_name = "Routing and assignment"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        # Signing out sets the agent offline (webcare/routing/presence.py connects to user_logged_out).
        import webcare.routing.presence  # noqa: F401

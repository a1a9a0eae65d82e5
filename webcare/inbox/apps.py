"""App configuration for webcare.inbox."""

from django.apps import AppConfig


class InboxConfig(AppConfig):
    name = "webcare.inbox"
    label = "inbox"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        from webcare.inbox.language import restore_on_sign_in

        user_logged_in.connect(restore_on_sign_in, dispatch_uid="webcare-inbox-language")

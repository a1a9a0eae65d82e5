from django.apps import AppConfig


class KeysConfig(AppConfig):
    name = "webcare.keys"
    label = "keys"
    verbose_name = "Encryption keys"
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "webcare.audit"
    label = "audit"
    verbose_name = "Audit log"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        """Listen for sign-ins and privilege changes (webcare/audit/receivers.py says why these are signals)."""
        from django.contrib.admin.models import LogEntry
        from django.contrib.auth import get_user_model
        from django.contrib.auth.models import Group
        from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
        from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

        from webcare.audit import receivers
        from webcare.core.models import Agent

        user_model = get_user_model()
        uid = "webcare.audit"
        user_logged_in.connect(receivers.signed_in, dispatch_uid=f"{uid}.signed_in")
        user_logged_out.connect(receivers.signed_out, dispatch_uid=f"{uid}.signed_out")
        user_login_failed.connect(receivers.sign_in_failed, dispatch_uid=f"{uid}.sign_in_failed")
        pre_save.connect(receivers.remember_privileges, sender=user_model, dispatch_uid=f"{uid}.privileges_before")
        post_save.connect(receivers.privileges_saved, sender=user_model, dispatch_uid=f"{uid}.privileges_after")
        pre_delete.connect(receivers.account_deleted, sender=user_model, dispatch_uid=f"{uid}.account_deleted")
        post_delete.connect(receivers.agent_deleted, sender=Agent, dispatch_uid=f"{uid}.agent_deleted")
        for through in (user_model.groups.through, user_model.user_permissions.through, Group.permissions.through):
            m2m_changed.connect(receivers.memberships_changed, sender=through,
                                dispatch_uid=f"{uid}.m2m.{through._meta.label}")
        post_save.connect(receivers.admin_logged, sender=LogEntry, dispatch_uid=f"{uid}.admin_logged")

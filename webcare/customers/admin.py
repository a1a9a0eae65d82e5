"""Admin pages for customers, identities and their merge/split history."""

from django.contrib import admin

from webcare.customers.models import Customer, CustomerHistory, Identity


class IdentityInline(admin.TabularInline):
    model = Identity
    extra = 0
    fields = ("platform", "external_id", "handle", "display_name")


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ("__str__", "organisation", "customer_number", "created_at")
    list_filter = ("organisation",)
    search_fields = ("name", "customer_number", "identities__handle", "identities__external_id")
    inlines = [IdentityInline]
    raw_id_fields = ("merged_into",)


@admin.register(Identity)
class IdentityAdmin(admin.ModelAdmin):
    list_display = ("__str__", "display_name", "customer", "organisation")
    list_filter = ("platform", "organisation")
    search_fields = ("handle", "external_id", "display_name")
    raw_id_fields = ("customer",)


@admin.register(CustomerHistory)
class CustomerHistoryAdmin(admin.ModelAdmin):
    list_display = ("kind", "customer", "other", "actor", "at")
    list_filter = ("kind",)
    raw_id_fields = ("customer", "other")

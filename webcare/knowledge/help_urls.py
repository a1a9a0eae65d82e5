"""The public help page, under /help/: a brand's FAQ articles, searchable as the customer types (no sign-in)."""

from django.urls import path

from webcare.knowledge import help_views

app_name = "help"
urlpatterns = [
    path("<slug:org>/", help_views.index, name="index"),
    path("<slug:org>/<slug:slug>/", help_views.article, name="article"),
]

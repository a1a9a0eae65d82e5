"""URLs of webcare.search: the search page and saving a search as an inbox view."""

from django.urls import path

from webcare.search import views

app_name = "search"
urlpatterns = [
    path("", views.search_page, name="search"),
    path("save/", views.save, name="save"),
]

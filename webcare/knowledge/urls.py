"""URLs of the knowledge base inside the desk, under /inbox/ (included from webcare/urls.py): the article pages and
the composer's suggested articles for a ticket. The public help page is help_urls.py, under /help/."""

from django.urls import path

from webcare.knowledge import views

app_name = "knowledge"
urlpatterns = [
    path("articles/", views.article_list, name="articles"),
    path("articles/new/", views.article_new, name="new"),
    path("articles/preview/", views.article_preview, name="preview"),
    path("articles/<int:article_id>/", views.article_edit, name="edit"),
    path("articles/<int:article_id>/publish/", views.article_publish, name="publish"),
    path("tickets/<int:ticket_id>/articles/", views.ticket_suggestions, name="suggestions"),
]

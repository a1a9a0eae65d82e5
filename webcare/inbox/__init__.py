"""The agents' inbox: server-rendered pages with htmx."""

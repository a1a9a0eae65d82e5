"""The REST API (django-ninja): typed schemas, an OpenAPI schema at /api/v1/openapi.json, docs at /api/v1/docs."""

from ninja import NinjaAPI

api = NinjaAPI(title="webcare API", version="1", urls_namespace="api")

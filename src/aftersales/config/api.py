"""The HTTP API under /api/v1/: one NinjaAPI mounting each app's router."""

from ninja import NinjaAPI

api = NinjaAPI(title="Aftersales API", version="1", urls_namespace="api")

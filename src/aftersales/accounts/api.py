"""API: token authentication, the caller (`/me`) and departments."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router, Schema
from ninja.security import HttpBearer

from aftersales.core.api import AUTH_ERRORS

from .models import Department, User
from .services import api_token_authenticate

router = Router(tags=["accounts"])


class ApiRequest(HttpRequest):
    """What handlers receive: ninja sets ``auth`` to the authenticated user (for type checkers)."""

    auth: User


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>``, a personal token from accounts.services.api_token_create."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        user = api_token_authenticate(token.strip())
        if user is not None:
            request.user = user  # code reading request.user (i18n, logging) sees the token's user
        return user


class DepartmentOut(Schema):
    code: str
    name: str
    name_en: str
    label: str


class UserRef(Schema):
    username: str
    display_name: str

    @staticmethod
    def resolve_display_name(obj: User) -> str:
        return obj.label


class MeOut(UserRef):
    role: str
    role_label: str
    department: DepartmentOut | None
    sees_all_cases: bool
    is_admin: bool

    @staticmethod
    def resolve_role_label(obj: User) -> str:
        return str(obj.get_role_display())

    @staticmethod
    def resolve_is_admin(obj: User) -> bool:
        return obj.is_admin_role


@router.get("/me", response={200: MeOut, **AUTH_ERRORS}, summary="The authenticated user")
def me(request: ApiRequest) -> User:
    return request.auth


@router.get("/departments", response={200: list[DepartmentOut], **AUTH_ERRORS}, summary="Active departments")
def department_list(request: ApiRequest) -> list[Department]:
    return list(Department.objects.filter(is_active=True))

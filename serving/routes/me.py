"""Who the caller is, as the API sees it: the UI shows it and hides what the roles may not use."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel, Field

from serving.deps import PrincipalDep, SettingsDep

router = APIRouter(prefix="/v1", tags=["session"])


class Me(BaseModel):
    subject: str = Field(examples=["key:3f2a9c01b7de", "oidc:jdoe@northeastern.edu"])
    kind: str = Field(description="api_key or oidc")
    roles: list[str]
    instructor_id: int | None
    reads_comments: bool = Field(description="Whether any comment text may reach this caller")


@router.get("/me", response_model=Me)
def me(principal: PrincipalDep, settings: SettingsDep) -> Me:
    access = principal.access(settings)
    return Me(
        subject=principal.subject,
        kind=principal.kind,
        roles=sorted(principal.roles),
        instructor_id=principal.instructor_id,
        reads_comments=access.reads_comments,
    )

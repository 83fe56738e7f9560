"""API: ``POST /api/v1/triage`` — a suggestion for a customer's words, without a case."""

from __future__ import annotations

from typing import Any, Literal

from ninja import Field, Router, Schema
from pydantic import StrictStr

from aftersales.accounts.api import ApiRequest
from aftersales.core.api import WRITE_ERRORS

from . import services

router = Router(tags=["triage"])


class TriageIn(Schema):
    text: StrictStr = Field(description="the customer's words, as they came (at most the configured length, "
                                        "20,000 characters by default)")
    customer_type: Literal["individual", "enterprise", "dealer"] = "individual"
    channel: StrictStr = Field("", description="optional: phone, web, chat, email, wechat, app, platform, dealer, store")


class TriageOut(Schema):
    category: str = Field(description="technical_fault, logistics, quality_objection or service_consultation")
    subcategory: str
    priority: Literal["P1", "P2", "P3"]
    demand: str = Field(description="repair, return_refund, exchange, consultation, compensation or other")
    flags: list[str] = Field(description="safety, public_opinion, external_escalation, repeat_complaint")
    confidence: dict[str, float] = Field(description="0…1 for category, subcategory, priority and demand")
    reasons: list[str] = Field(description="why, in the request's language (Accept-Language)")
    model_version: str


@router.post("/triage", response={200: TriageOut, **WRITE_ERRORS}, summary="Suggest category, priority and demand",
             description="Rules first (a reported safety hazard, an enterprise whose core business is down or a batch "
                         "failure makes it P1; 12315/媒体/曝光 add flags), then the model trained on labelled Chinese "
                         "messages. Nothing is stored.")
def triage(request: ApiRequest, payload: TriageIn) -> dict[str, Any]:
    return services.triage_text(text=payload.text, customer_type=payload.customer_type,
                                channel=payload.channel).as_json()

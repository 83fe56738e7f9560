"""A whole case through the API only, each step by the person whose job it is."""

from __future__ import annotations

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from aftersales.tickets.models import Ticket
from aftersales.tickets.scenarios import TINY_PNG

from .payloads import case_payload, plan_payload

pytestmark = pytest.mark.django_db


def ok(response, state: str) -> dict:
    assert response.status_code in (200, 201), response.content
    body = response.json()
    assert body["state"] == state, body
    return body


def test_register_to_closed_through_the_api(api_for, agent, supervisor, handler, head):
    owner, boss, tech, techhead = api_for(agent), api_for(supervisor), api_for(handler), api_for(head)

    case = ok(owner.post("/tickets", case_payload(), headers={"Idempotency-Key": "hotline-0001"}), "registered")
    number = case["number"]
    case = ok(boss.action(number, "classify", category="technical_fault", subcategory="function_abnormal",
                          priority="P1", version=case["version"]), "classified")
    case = ok(boss.action(number, "assign", department="technical_support", assignee="tech",
                          version=case["version"]), "assigned")
    assert "propose_plan" in tech.get(f"/tickets/{number}").json()["allowed_actions"]
    case = ok(tech.action(number, "propose_plan", **plan_payload(), version=case["version"]), "awaiting_approval")
    assert "approve_plan" in techhead.get(f"/tickets/{number}").json()["allowed_actions"]
    case = ok(techhead.action(number, "approve_plan", reason="安全隐患，优先处理", version=case["version"]),
              "plan_proposed")
    case = ok(owner.action(number, "offer_plan", message="已电话告知客户方案", version=case["version"]),
              "awaiting_customer")
    case = ok(owner.action(number, "accept_plan", version=case["version"]), "in_progress")

    upload = tech.upload(f"/tickets/{number}/attachments",
                         [SimpleUploadedFile("维修记录.png", TINY_PNG, content_type="image/png")])
    assert upload.status_code == 201
    proof_id = upload.json()[0]["id"]
    version = tech.get(f"/tickets/{number}").json()["version"]

    case = ok(tech.action(number, "resolve", result="已更换主板，试机正常", responsibility="production",
                          attachment_ids=[proof_id], version=version), "resolved")
    case = ok(owner.action(number, "feed_back", message="您的设备已修好，请确认", version=case["version"]),
              "awaiting_confirmation")
    case = ok(owner.action(number, "confirm", note="客户确认正常", version=case["version"]), "closed")

    assert case["closure"] == "confirmed"
    assert case["allowed_actions"] == ["reopen", "note"]
    detail = owner.get(f"/tickets/{number}").json()
    assert [e["kind"] for e in detail["events"]] == [
        "registered", "triage_suggested", "classified", "assigned", "plan_proposed", "plan_approved", "plan_offered",
        "plan_accepted", "attachment_added", "resolved", "fed_back", "confirmed"]
    resolved = next(e for e in detail["events"] if e["kind"] == "resolved")
    assert resolved["data"]["proof_attachment_ids"] == [proof_id]
    assert detail["plans"][0]["status"] == "accepted"
    assert detail["plans"][0]["approvals"][0]["approver"]["username"] == "techhead"
    assert detail["timestamps"]["closed_at"] is not None
    customer_view = owner.get(f"/tickets/{number}", {"audience": "customer"}).json()
    assert [e["kind"] for e in customer_view["events"]] == [
        "registered", "plan_offered", "plan_accepted", "attachment_added", "resolved", "fed_back", "confirmed"]
    assert [a["id"] for a in customer_view["attachments"]] == [proof_id]
    assert Ticket.objects.count() == 1

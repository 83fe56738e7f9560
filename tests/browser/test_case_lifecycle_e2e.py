"""End to end in real headless Chromium: a case from the agent's phone call to closure.

agent registers → supervisor classifies (P1) and assigns → handler plans →
department head approves → owner presents the plan and records agreement →
handler resolves with proof → owner feeds back and records confirmation → closed.
At each step we assert what that person sees (state, the actions offered to them).
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

from aftersales.accounts.models import Department, User
from aftersales.accounts.roles import Role
from aftersales.tickets.models import Ticket
from aftersales.tickets.scenarios import TINY_PNG

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHROMIUM = "/usr/bin/chromium"
PASSWORD = "pass12345"


@pytest.fixture
def people(transactional_db) -> dict[str, User]:
    def make(username: str, role: str, department: str, display: str) -> User:
        return User.objects.create_user(username=username, password=PASSWORD, role=role, display_name=display,
                                        department=Department.objects.get(code=department))

    return {
        "agent": make("agent", Role.AGENT, "customer_service", "王芳"),
        "supervisor": make("supervisor", Role.SUPERVISOR, "customer_service", "陈主管"),
        "tech": make("tech", Role.HANDLER, "technical_support", "张工"),
        "tech_head": make("tech_head", Role.DEPARTMENT_HEAD, "technical_support", "刘经理"),
    }


@pytest.fixture
def browser():
    # Allow threads to touch the DB from Playwright's event loop thread (pytest-django live server).
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=CHROMIUM, headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-quic",
                  "--no-first-run", "--disable-component-update", "--disable-sync"],
        )
        yield chromium
        chromium.close()


def login(browser, live_server, username: str) -> Page:
    page = browser.new_context(locale="zh-CN", viewport={"width": 1440, "height": 1000}).new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", PASSWORD)
    page.locator("form:has(input[name=username]) button[type=submit]").click()
    expect(page.locator("header")).to_contain_text("售后服务平台")
    return page


def state_badge(page: Page):
    return page.locator(".badge-lg").first


def offered_actions(page: Page) -> set[str]:
    hrefs = page.locator("form[action*='/actions/']").evaluate_all("fs => fs.map(f => f.getAttribute('action'))")
    return {re.search(r"/actions/([a-z_]+)/", h).group(1) for h in hrefs}


def run(page: Page, action: str, fields: dict[str, str] | None = None, files: list[dict] | None = None) -> None:
    form = page.locator(f"form[action$='/actions/{action}/']").first
    form.evaluate("f => f.closest('details') && (f.closest('details').open = true)")
    for name, value in (fields or {}).items():
        field = form.locator(f"[name={name}]").first
        tag = field.evaluate("e => e.tagName.toLowerCase() + ':' + (e.type || '')")
        if tag.startswith("select"):
            field.select_option(value)
        elif tag.endswith(":radio"):
            # Styled radios: click the label, as a user does.
            form.locator(f"label:has(input[name={name}][value='{value}'])").click()
        else:
            field.fill(value)
    if files:
        form.locator("input[type=file]").set_input_files(files)
    form.locator("button[type=submit]").click()
    page.wait_for_load_state("networkidle")


def open_case(page: Page, live_server, number: str) -> None:
    page.goto(f"{live_server.url}/cases/{number}/")


def test_case_goes_from_phone_call_to_closure_through_every_role(live_server, people, browser, tmp_path: Path):
    evidence = {"name": "现场照片.png", "mimeType": "image/png", "buffer": TINY_PNG}

    # The agent registers a phone call with the unified form.
    agent = login(browser, live_server, "agent")
    agent.goto(f"{live_server.url}/cases/new/")
    agent.fill("[name=customer_name]", "张伟")
    agent.fill("[name=customer_phone]", "13800138000")
    agent.fill("[name=product_model]", "RC-30")
    agent.fill("[name=product_trace_code]", "RC30-2410-000001")
    agent.fill("[name=description]", "电饭煲煮饭时底座漏电，摸到有麻手的感觉，家里有老人小孩，很担心安全。")
    agent.select_option("[name=demand]", "repair")
    agent.locator("input[name=attachments]").set_input_files([evidence])
    agent.locator("form button[type=submit]").last.click()
    agent.wait_for_url(re.compile(r"/cases/AS\d{8}-\d{6}/$"))
    number = re.search(r"(AS\d{8}-\d{6})", agent.url).group(1)
    expect(state_badge(agent)).to_have_text("已登记")
    expect(agent.locator("body")).to_contain_text("王芳")  # the first-contact owner
    assert "classify" not in offered_actions(agent)  # agents don't classify
    ticket = Ticket.objects.get(number=number)
    assert ticket.owner == people["agent"] and ticket.attachments.count() == 1

    # The supervisor finds it in the classification queue, classifies P1 and dispatches.
    supervisor = login(browser, live_server, "supervisor")
    supervisor.goto(f"{live_server.url}/cases/?state=registered")
    expect(supervisor.locator("table")).to_contain_text(number)
    open_case(supervisor, live_server, number)
    assert {"classify", "cancel"} <= offered_actions(supervisor)
    # Triage has read the customer's words: the form starts from P1, with the reason shown.
    suggestion = supervisor.locator(".suggestion").first
    expect(suggestion).to_contain_text("系统建议")
    expect(suggestion).to_contain_text("含安全隐患关键词：漏电")
    expect(supervisor.locator("input[name=priority][value=P1]")).to_be_checked()
    run(supervisor, "classify", {"category": "technical_fault", "subcategory": "function_abnormal",
                                 "priority": "P1"})
    expect(state_badge(supervisor)).to_have_text("已分类")
    run(supervisor, "assign", {"department": "technical_support", "assignee": "tech"})
    expect(state_badge(supervisor)).to_have_text("已分派")

    # The handler proposes an on-site repair; being P1 it waits for the head.
    tech = login(browser, live_server, "tech")
    open_case(tech, live_server, number)
    assert "propose_plan" in offered_actions(tech)
    run(tech, "propose_plan", {"kind": "repair", "repair_mode": "onsite",
                               "summary": "48 小时内安排工程师上门检测漏电原因，更换底座组件"})
    expect(state_badge(tech)).to_have_text("待审批")
    assert "approve_plan" not in offered_actions(tech)  # nobody approves their own plan

    # The department head approves, with a reason on record.
    head = login(browser, live_server, "tech_head")
    open_case(head, live_server, number)
    assert {"approve_plan", "refuse_plan"} <= offered_actions(head)
    run(head, "approve_plan", {"reason": "安全问题优先，同意上门"})
    expect(state_badge(head)).to_have_text("已提出方案")

    # The owner presents the plan and records the customer's agreement.
    open_case(agent, live_server, number)
    run(agent, "offer_plan", {"message": "已电话告知客户上门检测安排"})
    expect(state_badge(agent)).to_have_text("待客户答复")
    run(agent, "accept_plan")
    expect(state_badge(agent)).to_have_text("处理中")

    # The handler resolves with proof attached.
    open_case(tech, live_server, number)
    run(tech, "resolve", {"result": "已更换底座组件，绝缘测试合格"}, files=[{**evidence, "name": "维修记录.png"}])
    expect(state_badge(tech)).to_have_text("已解决")

    # The owner feeds the result back and records the customer's confirmation: closed.
    open_case(agent, live_server, number)
    run(agent, "feed_back", {"message": "您的电饭煲已修复并通过安全检测，请您确认使用正常"})
    expect(state_badge(agent)).to_have_text("待客户确认")
    run(agent, "confirm", {"note": "客户电话确认使用正常"})
    expect(state_badge(agent)).to_have_text("已关闭")
    assert "reopen" in offered_actions(agent)

    # The dossier shows every step, and the approval with its reason.
    timeline = agent.locator("body")
    for text in ("已分类", "提出", "安全问题优先，同意上门", "绝缘测试合格", "客户电话确认使用正常"):
        expect(timeline).to_contain_text(text)
    agent.screenshot(path=str(tmp_path / "closed.png"), full_page=True)
    ticket.refresh_from_db()
    assert ticket.state == "closed" and ticket.closure == "confirmed"
    assert list(ticket.events.values_list("kind", flat=True)) == [
        "registered", "triage_suggested", "classified", "assigned", "plan_proposed", "plan_approved", "plan_offered",
        "plan_accepted", "resolved", "fed_back", "confirmed",
    ]

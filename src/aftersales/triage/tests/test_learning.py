"""Labels from supervisors' decisions, and `aftersales triage retrain` learning from them."""

import pytest

from aftersales import cli
from aftersales.tickets import services as svc
from aftersales.triage import configuration, services
from aftersales.triage.models import TriageLabel, TriageModelVersion

pytestmark = pytest.mark.django_db


def test_the_supervisors_classification_is_kept_as_a_label_with_the_suggestion_beside_it(make_ticket, supervisor):
    ticket = make_ticket("registered", description="快递说已经签收了，可我根本没收到包裹", demand="other")
    suggestion = ticket.triage_suggestion

    svc.ticket_classify(number=ticket.number, actor=supervisor, category="logistics", subcategory="delivery_delay",
                        priority="P2", demand="other")

    label = TriageLabel.objects.get(ticket=ticket)
    assert (label.category, label.subcategory, label.priority, label.demand) == (
        "logistics", "delivery_delay", "P2", "other")
    assert label.suggested["category"] == suggestion.category
    assert label.corrected == (label.suggested != {"category": "logistics", "subcategory": "delivery_delay",
                                                   "demand": "other", "priority": "P2"})
    assert "没收到包裹" in label.text and label.labelled_by == supervisor


def test_a_correction_is_marked_and_a_reclassification_updates_the_same_label(make_ticket, supervisor):
    ticket = make_ticket("registered", description="冰箱不制冷了，里面的菜都坏了")
    svc.ticket_classify(number=ticket.number, actor=supervisor, category="service_consultation",
                        subcategory="usage_guidance", priority="P3")
    assert TriageLabel.objects.get(ticket=ticket).corrected is True

    svc.ticket_classify(number=ticket.number, actor=supervisor, category="technical_fault",
                        subcategory="function_abnormal", priority="P2", demand="repair")

    [label] = TriageLabel.objects.filter(ticket=ticket)
    assert (label.subcategory, label.demand) == ("function_abnormal", "repair")


def test_retrain_learns_from_confirmed_cases_and_measurably_changes_a_prediction(make_ticket, supervisor, capsys):
    probe = "蒸烤箱的蒸汽盒发出嘀嘀声"
    before = services.triage_text(text=probe)
    assert before.subcategory != "maintenance_advice"
    # The team decides these beeps are descaling reminders: maintenance advice, every time.
    for wording in ["蒸烤箱蒸汽盒嘀嘀响", "蒸汽盒一直嘀嘀嘀", "蒸烤箱嘀嘀声是怎么回事", "蒸汽盒嘀嘀叫个不停",
                    "蒸烤箱的蒸汽盒嘀嘀", "新买的蒸烤箱蒸汽盒嘀嘀报警", "蒸汽盒嘀嘀嘀嘀", "蒸烤箱又嘀嘀了",
                    "蒸汽盒在嘀嘀", "嘀嘀声来自蒸汽盒", "蒸烤箱蒸汽盒每天都嘀嘀", "蒸汽盒嘀嘀怎么办"]:
        ticket = make_ticket("registered", description=wording, demand="consultation")
        svc.ticket_classify(number=ticket.number, actor=supervisor, category="service_consultation",
                            subcategory="maintenance_advice", priority="P3", demand="consultation")

    assert cli.main(["triage", "retrain"]) == 0

    printed = capsys.readouterr().out
    assert "12 confirmed cases" in printed and "P1 recall" in printed
    version = TriageModelVersion.objects.get(is_active=True)
    assert version.labels_used == 12 and version.metrics["total"] > 100
    after = services.triage_text(text=probe)
    assert after.subcategory == "maintenance_advice"
    assert after.model_version == f"retrained-{version.pk}"


def test_a_second_retrain_replaces_the_active_model(make_ticket, supervisor):
    first = services.model_retrain(trained_by="test")
    second = services.model_retrain(trained_by="test")

    assert list(TriageModelVersion.objects.filter(is_active=True)) == [second]
    assert TriageModelVersion.objects.get(pk=first.pk).is_active is False
    assert configuration.active_model().version == f"retrained-{second.pk}"

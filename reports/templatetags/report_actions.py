"""The report page's actions beside each benefit: its planned actions, and a link to plan one."""

from __future__ import annotations

from django import template

from reports.plan import action_progress

register = template.Library()


@register.inclusion_tag("reports/_benefit_actions.html", takes_context=True)
def benefit_actions(context, benefit) -> dict:
    """The actions of the report planned on ``benefit``, and (for owners) the "Plan an action" link."""
    report = context["report"]
    return {
        "benefit": benefit,
        "actions": [a for a in report.actions if benefit.path in a.benefits],
        "assessment": context["assessment"],
        "can_plan": context.get("can_plan", False),
    }


@register.simple_tag
def progress_of(report, action) -> tuple:
    """The change of ``action``'s benefits' gaps since the round it was planned from (see ``reports.plan``)."""
    return action_progress(report, action)

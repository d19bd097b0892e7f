"""Which rows other data depends on, asked from below and answered from above.

Imports run one way (taxonomy <- organizations <- assessments <- responses
<- ...), yet a lower app must refuse to delete what an upper app's data
depends on: a benefit that has answers, an organization whose assessments
have them. The lower app asks :func:`in_use`; each upper app registers, in
its ``AppConfig.ready()``, a check for the models it depends on. Nobody
imports upward, and a new app that keeps data about a benefit adds its own
check without touching the taxonomy.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

# A check takes the objects about to go and returns, for those that must
# stay, the reason, worded to follow "Cannot delete X: ".
Check = Callable[[list], dict[object, str]]

_checks: dict[type, list[Check]] = {}


def register_in_use_check(model: type, check: Check) -> None:
    """Make :func:`in_use` ask ``check`` about ``model`` objects; registering twice is harmless."""
    checks = _checks.setdefault(model, [])
    if check not in checks:
        checks.append(check)


def in_use(model: type, objs: Iterable) -> dict[object, str]:
    """The objects of ``objs`` that some registered check keeps, each with the first reason given."""
    objs = list(objs)
    blockers: dict[object, str] = {}
    if not objs:
        return blockers
    # The app registered last sits highest, nearest the people's data: its reason comes first.
    for check in reversed(_checks.get(model, ())):
        for obj, reason in check(objs).items():
            blockers.setdefault(obj, reason)
    return blockers


# --- Erasing an organization -----------------------------------------------
#
# Erasure runs the other way: every app deletes what it keeps about the
# organization, the highest first (answers before the responses they belong
# to, responses before their assessment), and the organizations app deletes
# the organization last. Each eraser takes the organization and ``dry_run``
# and returns {what: how many}, counted the same way whether it deletes or not.

Eraser = Callable[[object, bool], dict[str, int]]

_erasers: list[Eraser] = []


def register_organization_eraser(eraser: Eraser) -> None:
    """Make :func:`organization_erasers` include ``eraser``; registering twice is harmless."""
    if eraser not in _erasers:
        _erasers.append(eraser)


def organization_erasers() -> list[Eraser]:
    """The registered erasers, the app registered last (the highest) first."""
    return list(reversed(_erasers))

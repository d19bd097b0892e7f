"""Admin pieces shared by every app."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.actions import delete_selected
from django.contrib.admin.utils import unquote
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext, ngettext

from common.usage import in_use

# How many refused objects a message names before it says "and N more".
MESSAGE_NAMES = 5


class RefuseDeleteInUseMixin:
    """Refuse to delete objects that answers depend on, with a clear message.

    The reasons come from the checks that apps register with
    :func:`common.usage.register_in_use_check`. Both the single delete view
    and the bulk "delete selected" action check it first, so the user sees
    why instead of a cascade or a ``ProtectedError``.
    """

    def delete_blockers(self, objs: list) -> dict[object, str]:
        """Map each object of ``objs`` that must not be deleted to the reason (the checks apps registered)."""
        return in_use(self.model, objs)

    def _refuse(self, request, blockers: dict[object, str]) -> None:
        names = list(blockers.items())
        for obj, reason in names[:MESSAGE_NAMES]:
            message = gettext("Cannot delete %(model)s “%(object)s”: %(reason)s.")
            values = {"model": self.opts.verbose_name, "object": obj, "reason": reason}
            self.message_user(request, message % values, level=messages.ERROR)
        if len(names) > MESSAGE_NAMES:
            more = len(names) - MESSAGE_NAMES
            message = ngettext(
                "… and %(n)d more %(models)s that cannot be deleted.",
                "… and %(n)d more %(models)s that cannot be deleted.",
                more,
            )
            self.message_user(
                request, message % {"n": more, "models": self.opts.verbose_name_plural}, level=messages.ERROR
            )

    def delete_view(self, request, object_id, extra_context=None):
        obj = self.get_object(request, unquote(object_id))
        # Permission first: a user who may not delete gets Django's 403, not our reasons.
        if obj is not None and self.has_delete_permission(request, obj):
            blockers = self.delete_blockers([obj])
            if blockers:
                self._refuse(request, blockers)
                return redirect(reverse(f"admin:{self.opts.app_label}_{self.opts.model_name}_change", args=[obj.pk]))
        return super().delete_view(request, object_id, extra_context)

    def get_actions(self, request):
        actions = super().get_actions(request)
        if "delete_selected" in actions:
            _, name, description = actions["delete_selected"]
            actions["delete_selected"] = (refuse_or_delete_selected, name, description)
        return actions


def refuse_or_delete_selected(modeladmin, request, queryset):
    """Django's bulk delete, unless some selected object is in use."""
    blockers = modeladmin.delete_blockers(list(queryset))
    if blockers:
        modeladmin._refuse(request, blockers)
        return None
    return delete_selected(modeladmin, request, queryset)

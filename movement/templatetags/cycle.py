"""The admin header's link to the user's to-do list, with how many proposals wait for them."""

from django import template
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from movement.cycle.views import todo_counts

register = template.Library()


@register.simple_tag(takes_context=True)
def todo_link(context: template.Context) -> str:
    request = context.get("request")
    if request is None or not request.user.has_perm("movement.view_proposal"):
        return ""
    count = todo_counts(request.user)
    return format_html(
        '<a href="{}" class="todo-link">{} <span class="todo-count">({})</span></a> / ',
        reverse("admin:movement_proposal_todo"),
        _("To do"),
        count,
    )

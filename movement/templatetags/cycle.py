"""The admin header's link to the user's to-do list; how many proposals wait for them is asked
for by a script once the page is drawn (static/js/todo_count.js), so no admin page pays for it."""

from django import template
from django.templatetags.static import static
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

register = template.Library()


@register.simple_tag(takes_context=True)
def todo_link(context: template.Context) -> str:
    request = context.get("request")
    if request is None or not request.user.has_perm("movement.view_proposal"):
        return ""
    return format_html(
        '<script src="{}" defer></script><a href="{}" class="todo-link">{} '
        '<span class="todo-count" data-url="{}"></span></a> / ',
        static("js/todo_count.js"),
        reverse("admin:movement_proposal_todo"),
        _("To do"),
        reverse("admin:movement_proposal_todo_count"),
    )

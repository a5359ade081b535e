from django import template
from django.db.models import Model
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from movement import permissions

register = template.Library()


@register.inclusion_tag("movement/_edit_link.html", takes_context=True)
def edit_link(context: template.Context, obj: Model) -> dict:
    """A link to the admin change form of ``obj``, for staff allowed to change it."""
    user = context["request"].user
    opts = obj._meta
    url = None
    if (
        user.is_active
        and user.is_staff
        and user.has_perm(f"{opts.app_label}.change_{opts.model_name}")
        # A unit editor may change only their units' records: no link to the others.
        and permissions.may_edit(user, obj)
    ):
        try:
            url = reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[obj.pk])
        except NoReverseMatch:
            # The model is not (yet) in the admin: no link rather than a broken page.
            url = None
    return {"url": url, "verbose_name": opts.verbose_name}


@register.simple_tag
def cite(obj: Model) -> str:
    """The superscript number that points at the footnote of ``obj``, if it has one.

    A simple tag rather than an included template: a campaign page may cite a thousand rows.
    """
    note = getattr(obj, "footnote", False)
    if note is False:
        # Not cited on this page.
        return ""
    if note is None:
        # Cited, with nothing to cite: the footer promises every fact its source.
        return format_html('<span class="no-source">{}</span>', _("no source yet"))
    return format_html(
        '<sup class="cite"><a href="#note-{}" title="{} {}">'
        '<span class="visually-hidden">{} </span>{}</a></sup>',
        note.number,
        _("Source"),
        note.number,
        _("Source"),
        note.number,
    )


@register.simple_tag
def inferred(obj: Model) -> str:
    """A visible "inferred" badge on a record that takes something from context, which opens on
    the reason; nothing on a record that states everything outright."""
    if not getattr(obj, "is_inferred", False):
        return ""
    return format_html(
        '<details class="inferred-badge"><summary><span class="tag tag--inferred">{}</span>'
        '<span class="visually-hidden"> {}</span></summary><p>{}</p></details>',
        _("inferred"),
        _("why"),
        obj.inference_note,
    )

"""The forms of a proposal's page: a step's comment, a document, the council's vote, the
decision."""

from django import forms
from django.utils.translation import gettext_lazy as _

from movement.models import Attachment, ProposalLine


class StepForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AttachmentForm(forms.Form):
    kind = forms.ChoiceField(label=_("Document"), choices=Attachment.Kind.choices)
    file = forms.FileField(label=_("File"))


class VoteForm(forms.Form):
    held_on = forms.DateField(label=_("Held on"))
    members = forms.IntegerField(label=_("Members of the council"), min_value=1, max_value=500)
    present = forms.IntegerField(label=_("Members present"), min_value=0, max_value=500)
    list_published_on = forms.DateField(
        label=_("List published on"),
        required=False,
        help_text=_("For orders and state honours: the day the list was made public."),
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, lines: list[ProposalLine], **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.lines = lines
        for line in lines:
            self.fields[f"votes_{line.pk}"] = forms.IntegerField(
                label=str(line),
                min_value=0,
                max_value=500,
                required=False,
                initial=line.votes_for,
            )

    def clean(self) -> dict:
        data = super().clean()
        members, present = data.get("members"), data.get("present")
        if members is not None and present is not None and present > members:
            self.add_error("present", _("More members present than the council has."))
        return data

    def votes(self) -> dict[int, int]:
        return {
            line.pk: self.cleaned_data[f"votes_{line.pk}"]
            for line in self.lines
            if self.cleaned_data.get(f"votes_{line.pk}") is not None
        }

    def line_fields(self) -> list:
        return [(line, self[f"votes_{line.pk}"]) for line in self.lines]


class DecisionForm(forms.Form):
    number = forms.CharField(label=_("Number and symbol"), max_length=100)
    date = forms.DateField(label=_("Signed on"))
    issuer = forms.CharField(label=_("Issuing authority"), max_length=300)
    signer = forms.CharField(label=_("Signed by"), max_length=200, required=False)
    signer_position = forms.CharField(label=_("Signer's position"), max_length=300, required=False)
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

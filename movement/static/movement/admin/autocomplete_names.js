"use strict";
// Django's autocomplete boxes (select2) name their combobox after the chosen value alone, shown in
// a read-only textbox of no name (a box of several values: a search field of no name): an empty
// box has no name for a screen reader, a filled one not its field's. Here each combobox is named
// by its field's label and then its value, and the textbox or search field by the label. The
// form's first focus (admin/js/change_form.js) and a click on the label go to the <select> that
// select2 hides; focus moves on to the box a person can use.
{
  const combobox = (select) => select.nextElementSibling?.querySelector('[role="combobox"]');

  const name = (select) => {
    const box = combobox(select);
    const label = select.id && document.querySelector(`label[for="${select.id}"]`);
    if (!box || !label || box.dataset.named) {
      return;
    }
    label.id ||= `${select.id}_label`;
    const value = box.getAttribute("aria-labelledby");
    box.setAttribute("aria-labelledby", value ? `${label.id} ${value}` : label.id);
    box
      .querySelectorAll('[role="textbox"], [role="searchbox"]')
      .forEach((field) => field.setAttribute("aria-labelledby", label.id));
    box.dataset.named = "true";
  };

  const onToBox = (select) => {
    if (select.matches(".admin-autocomplete.select2-hidden-accessible")) {
      combobox(select)?.focus();
    }
  };

  const nameAll = (root) => root.querySelectorAll("select.admin-autocomplete").forEach(name);

  document.addEventListener("DOMContentLoaded", () => {
    if (!window.django?.jQuery?.fn.djangoAdminSelect2) {
      return; // no autocomplete on this page
    }
    // admin/js/autocomplete.js builds the boxes in a jQuery ready handler queued as it loaded;
    // this one, queued now, runs after it.
    django.jQuery(() => {
      nameAll(document);
      if (document.activeElement?.tagName === "SELECT") {
        onToBox(document.activeElement);
      }
    });
    // A row added to an inline: autocomplete.js builds its boxes on the same event, first.
    document.addEventListener("formset:added", (event) => nameAll(event.target));
    document.addEventListener("focusin", (event) => {
      if (event.target.tagName === "SELECT") {
        onToBox(event.target);
      }
    });
  });
}

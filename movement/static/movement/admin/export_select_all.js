"use strict";
// The "Select all" box of django-import-export's export form, wired up here: its own template
// sets it with an inline onchange attribute, which the content security policy refuses.
// onSelectToggleChange comes from import_export/export_selectable_fields.js (the form's media).
document.addEventListener("DOMContentLoaded", () => {
  document.querySelectorAll(".select-toggle").forEach((toggle) => {
    toggle.addEventListener("change", onSelectToggleChange);
  });
});

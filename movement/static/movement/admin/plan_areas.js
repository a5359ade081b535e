"use strict";
// On a plan's page, a task row may pick a work area added above in the same form, before either
// is saved: each new area row with a number is offered to every task row's area list as
// "new:<number>" (movement.admin.plans.PlanAreaField), kept in step as the row is typed, added
// or removed. A task row's choice follows its area row when the area's number changes.
document.addEventListener("DOMContentLoaded", () => {
  const areas = "areas";
  const count = (name) => Number(document.getElementById(`id_${areas}-${name}`)?.value || 0);
  // An area row's own key: removing a row renumbers the rows after it, not their elements.
  let keys = 0;
  const keyOf = (element) => (element.dataset.areaKey ||= String(++keys));

  const newAreas = () => {
    const found = [];
    for (let index = count("INITIAL_FORMS"); index < count("TOTAL_FORMS"); index++) {
      const input = document.getElementById(`id_${areas}-${index}-number`);
      const number = input?.value.trim() || "";
      const name = document.getElementById(`id_${areas}-${index}-name`)?.value.trim() || "";
      if (/^\d+$/.test(number)) {
        const value = `new:${Number(number)}`;
        found.push({ row: keyOf(input.closest("tr")), value, label: `${Number(number)}. ${name}` });
      }
    }
    return found;
  };

  const offer = () => {
    const added = newAreas();
    document.querySelectorAll('select[name^="tasks-"][name$="-area"]').forEach((select) => {
      const chosen = select.selectedOptions[0];
      // A choice made here follows its area row; one the server rendered, its value.
      const row = chosen?.dataset.row;
      const value = chosen?.value;
      select.querySelectorAll('option[value^="new:"]').forEach((option) => option.remove());
      for (const area of added) {
        const option = new Option(area.label, area.value);
        option.dataset.row = area.row;
        option.selected = row ? row === area.row : value === area.value;
        select.add(option);
      }
    });
  };

  document.addEventListener("input", (event) => {
    if (event.target.name?.startsWith(`${areas}-`)) {
      offer();
    }
  });
  for (const change of ["formset:added", "formset:removed"]) {
    document.addEventListener(change, (event) => {
      if (event.detail?.formsetName === areas || event.detail?.formsetName === "tasks") {
        offer();
      }
    });
  }
  offer();
});

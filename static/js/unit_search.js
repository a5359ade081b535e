/* The award filter's unit, searched among all units instead of picked from a select.
 *
 * Progressive enhancement: without this script the form keeps its select, which lists the top of
 * a large tree. With it, a search box (an ARIA combobox) asks /units/suggestions.json for the
 * units whose names hold what is typed, diacritics or not, and sets the hidden select to the one
 * picked, so the form submits the same `unit=<code>` either way. A browser's own <datalist>
 * would hide "Khảo" from someone typing "khao": it filters the suggestions again, by letters.
 */
(function () {
  "use strict";

  var DELAY = 200;

  function enhance(select, index) {
    var data = select.dataset;
    var input = document.createElement("input");
    var list = document.createElement("ul");
    var status = document.createElement("p");
    var listId = "unit-search-list-" + index;
    var options = [];
    var active = -1;
    var timer = null;
    var asked = 0;

    input.type = "text";
    input.id = select.id;
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);
    input.autocomplete = "off";
    input.placeholder = data.searchPlaceholder || "";
    list.id = listId;
    list.className = "unit-search__list";
    list.setAttribute("role", "listbox");
    list.hidden = true;
    status.className = "unit-search__status";
    status.setAttribute("role", "status");

    // The label now names the search box; the select stays in the form, hidden, to be submitted.
    select.id = select.id + "_select";
    select.hidden = true;
    var chosen = select.options[select.selectedIndex];
    if (chosen && chosen.value) {
      input.value = chosen.text.replace(/^(— )+/, "");
    }
    var box = document.createElement("div");
    box.className = "unit-search";
    select.parentNode.insertBefore(box, select);
    box.appendChild(input);
    box.appendChild(list);
    box.appendChild(status);

    function close() {
      list.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    // The select's option for the unit, added if the select did not list it.
    function selectOption(unit) {
      var option = Array.prototype.find.call(select.options, function (o) {
        return o.value === unit.slug;
      });
      if (!option) select.add(new Option(unit.name, unit.slug));
      return unit.slug;
    }

    function choose(unit) {
      select.value = selectOption(unit);
      input.value = unit.name;
      input.setCustomValidity("");
      close();
    }

    function highlight(next) {
      var items = list.children;
      if (!items.length) return;
      if (active >= 0) items[active].setAttribute("aria-selected", "false");
      active = (next + items.length) % items.length;
      items[active].setAttribute("aria-selected", "true");
      items[active].scrollIntoView({ block: "nearest" });
      input.setAttribute("aria-activedescendant", items[active].id);
    }

    function show(units) {
      options = units;
      // A name typed out in full picks its unit, as clicking it would.
      var typed = input.value.trim().toLocaleLowerCase();
      units.forEach(function (unit) {
        if (unit.name.toLocaleLowerCase() === typed) select.value = selectOption(unit);
      });
      list.textContent = "";
      units.forEach(function (unit, i) {
        var item = document.createElement("li");
        item.id = listId + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.textContent = unit.name;
        if (unit.parent) {
          var parent = document.createElement("span");
          parent.className = "unit-search__parent";
          parent.textContent = unit.parent;
          item.appendChild(parent);
        }
        // Before the input's blur closes the list.
        item.addEventListener("mousedown", function (event) {
          event.preventDefault();
          choose(unit);
        });
        list.appendChild(item);
      });
      active = -1;
      list.hidden = !units.length;
      input.setAttribute("aria-expanded", units.length ? "true" : "false");
      status.textContent = units.length ? "" : data.searchNone || "";
    }

    function search() {
      var text = input.value.trim();
      var ticket = ++asked;
      if (!text) {
        show([]);
        status.textContent = "";
        return;
      }
      fetch(data.searchUrl + "?q=" + encodeURIComponent(text), {
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : { results: [] };
        })
        .then(function (found) {
          // A slow answer to an older text never replaces the newer one's.
          if (ticket === asked) show(found.results);
        })
        .catch(function () {});
    }

    input.addEventListener("input", function () {
      // What is typed no longer names the unit chosen before.
      select.value = "";
      input.setCustomValidity("");
      clearTimeout(timer);
      timer = setTimeout(search, DELAY);
    });
    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (list.hidden) return;
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter" && !list.hidden && active >= 0) {
        event.preventDefault();
        choose(options[active]);
      } else if (event.key === "Escape" && !list.hidden) {
        event.preventDefault();
        close();
      }
    });
    input.addEventListener("blur", close);
    // A text that names no unit is not sent as "any unit" without a word.
    input.form.addEventListener("submit", function (event) {
      if (input.value.trim() && !select.value) {
        input.setCustomValidity(data.searchPick || "");
        input.reportValidity();
        event.preventDefault();
      }
    });
  }

  document.querySelectorAll("select[data-search-url]").forEach(enhance);
})();

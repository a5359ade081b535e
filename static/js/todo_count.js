// The admin header's to-do count, asked for once the page is drawn: every admin page would
// otherwise pay a query for it, lists of millions of awards included. Without the script the
// link to the to-do page is still there, without its figure.
document.addEventListener("DOMContentLoaded", () => {
  for (const count of document.querySelectorAll(".todo-count[data-url]")) {
    fetch(count.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then((response) => (response.ok ? response.json() : null))
      .then((data) => {
        if (data) {
          count.textContent = `(${data.count.toLocaleString("vi-VN")})`;
        }
      })
      .catch(() => {});
  }
});

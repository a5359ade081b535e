// The award record's "In" button: the browser's print dialog (the page's CSS lays out one A4
// page per person). An inline handler would be refused by the content security policy.
document.querySelectorAll("[data-print]").forEach((button) => {
  button.addEventListener("click", () => window.print());
});

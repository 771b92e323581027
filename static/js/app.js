// Behaviour shared by every page. No inline scripts anywhere: the CSP forbids them.
document.addEventListener("change", (event) => {
  if (event.target.matches("select[data-autosubmit]")) event.target.form.requestSubmit();
});
document.addEventListener("click", (event) => {
  if (event.target.closest("[data-print]")) window.print();
  // Going back, rather than a link, returns to the page with what was typed still in it.
  if (event.target.closest("[data-history-back]")) window.history.back();
  const confirmable = event.target.closest("[data-confirm]");
  if (confirmable && !window.confirm(confirmable.dataset.confirm)) event.preventDefault();
});

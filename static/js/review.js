// The review pages: a form marked data-submit-once is sent once, whatever the number of clicks.
// The server refuses a second transition anyway (evaluations/workflow.py); this spares the
// double-clicker the "nothing was changed" message.
document.addEventListener("submit", (event) => {
  const form = event.target.closest("form[data-submit-once]");
  if (!form) return;
  if (form.dataset.sent) {
    event.preventDefault();
    return;
  }
  form.dataset.sent = "1";
});
// A page restored by the back button may be sent again.
window.addEventListener("pageshow", (event) => {
  if (!event.persisted) return;
  document.querySelectorAll("form[data-sent]").forEach((form) => delete form.dataset.sent);
});

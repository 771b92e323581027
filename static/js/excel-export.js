// Tells the user a large export is under way: the browser's own download progress follows.
document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-export-count]");
  if (!link) return;
  const status = document.getElementById("export-status");
  if (!status) return;
  status.textContent = status.dataset.template.replace("%s", link.dataset.exportCount);
  status.hidden = false;
});

// Tells the user a large export is under way until its answer comes: from then on the
// browser's own download progress follows. The link carries a token; the answer sets the
// cookie export_done to it (evaluations/excel_views.py), which this script watches for.
(() => {
  const COOKIE = "export_done";
  const POLL_MS = 500;
  // An answer that never comes (the connection dropped) must not leave the line for good.
  const GIVE_UP_MS = 120000;
  let timer = null;

  const token = () => {
    const bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
  };

  const answered = (wanted) =>
    document.cookie.split("; ").some((pair) => pair === `${COOKIE}=${wanted}`);

  const forget = () => {
    document.cookie = `${COOKIE}=; max-age=0; path=/; samesite=strict`;
  };

  document.addEventListener("click", (event) => {
    const link = event.target.closest("a[data-export-count]");
    if (!link) return;
    const status = document.getElementById("export-status");
    if (!status) return;
    const wanted = token();
    const url = new URL(link.href, document.baseURI);
    url.searchParams.set("export_token", wanted);
    link.href = url.toString(); // read by the navigation this click starts
    status.textContent = status.dataset.template.replace("%s", link.dataset.exportCount);
    status.hidden = false;
    clearInterval(timer);
    const started = Date.now();
    timer = setInterval(() => {
      if (!answered(wanted) && Date.now() - started < GIVE_UP_MS) return;
      clearInterval(timer);
      forget();
      status.hidden = true;
    }, POLL_MS);
  });
})();

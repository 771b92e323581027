// A background export's page: asks for the job's state every 2 s until it is finished, and
// moves the progress bar and shows the download link without reloading the page.
(() => {
  const POLL_MS = 2000;
  const box = document.getElementById("export-job");
  if (!box || box.dataset.finished === "1") return;
  const progress = document.getElementById("export-progress");
  const field = (name) => box.querySelector(`[data-export-${name}]`);

  const show = (status) => {
    progress.max = status.total;
    progress.value = status.done;
    progress.textContent = `${status.percent}%`;
    field("state").textContent = status.label;
    field("done").textContent = status.done;
    field("percent").textContent = status.percent;
    if (status.download) {
      field("download").href = status.download;
      field("download").hidden = false;
    }
    field("failed").hidden = status.state !== "failed";
    field("waiting").hidden = status.finished;
    const failed = document.getElementById("export-failed");
    if (status.failed.length) {
      failed.querySelector("ul").replaceChildren(
        ...status.failed.map((line) => {
          const item = document.createElement("li");
          item.textContent = line;
          return item;
        }),
      );
      failed.hidden = false;
    }
  };

  const poll = async () => {
    try {
      const response = await fetch(box.dataset.statusUrl, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        cache: "no-store",
      });
      if (response.ok) {
        const status = await response.json();
        show(status);
        if (status.finished) return;
      }
    } catch (error) {
      // A dropped connection: the next poll tries again.
    }
    setTimeout(poll, POLL_MS);
  };
  setTimeout(poll, POLL_MS);
})();

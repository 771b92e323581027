// The reviewers' overview: progress per department (stacked bars) and the distribution of
// execution rates, drawn from the JSON the page embeds (no inline script: the CSP forbids it).
(function () {
  "use strict";
  const source = document.getElementById("overview-data");
  if (!source || typeof Chart === "undefined") return;
  const data = JSON.parse(source.textContent);
  const colours = {
    draft: "#6c757d",
    submitted: "#0d6efd",
    returned: "#dc3545",
    approved: "#198754",
  };

  const progress = document.getElementById("progress-chart");
  if (progress) {
    // One bar per department: the box grows with their number so that names stay readable.
    const box = progress.parentElement;
    box.style.height = Math.max(160, 26 * Number(box.dataset.chartRows || 0) + 60) + "px";
    new Chart(progress, {
      type: "bar",
      data: {
        labels: data.departments,
        datasets: data.series.map((series) => ({
          label: series.label,
          data: series.data,
          backgroundColor: colours[series.state],
        })),
      },
      options: {
        indexAxis: "y",
        maintainAspectRatio: false,
        animation: false,
        scales: { x: { stacked: true, ticks: { precision: 0 } }, y: { stacked: true } },
      },
    });
  }

  const rates = document.getElementById("rates-chart");
  if (rates) {
    new Chart(rates, {
      type: "bar",
      data: {
        labels: data.rates.labels,
        datasets: [{ label: data.rates.label, data: data.rates.data, backgroundColor: "#0d6efd" }],
      },
      options: {
        animation: false,
        plugins: { legend: { display: false } },
        scales: { y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    });
  }
})();

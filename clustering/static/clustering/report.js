// The report page: the opinion map (animated on updates), the history chart,
// sortable statement table, and live updates when the worker pushes a new
// analysis (the server-rendered report body is fetched and swapped in).
(function () {
  "use strict";
  const root = document.getElementById("report");
  if (!root) return;
  const live = window.AgoraLive;
  const canvas = root.querySelector("canvas[data-map]");
  const legend = root.querySelector("[data-map-legend]");
  const note = root.querySelector("[data-map-note]");
  const toggle = root.querySelector("[data-show-statements]");
  const map = canvas && window.AgoraMap ? new window.AgoraMap.OpinionMap(canvas) : null;
  let history = null;
  let shown = null;

  function drawMap(data) {
    if (!map || !data.report) return;
    const report = data.report;
    map.draw(
      { groups: report.groups, points: report.points, statements: report.statements },
      data.texts
    );
    map.legend(legend);
    if (note) {
      note.textContent =
        report.n_points > report.points.length
          ? interpolate(
              gettext("Showing %(shown)s of %(total)s participants in groups."),
              { shown: report.points.length, total: report.n_points },
              true
            )
          : "";
    }
  }

  function drawHistory() {
    const canvas = document.querySelector("canvas[data-history]");
    const source = document.getElementById("history-data");
    if (!canvas || !source || typeof Chart === "undefined") return;
    const rows = JSON.parse(source.textContent);
    const k = rows.reduce((m, r) => Math.max(m, r.groups.length), 0);
    const datasets = [
      {
        label: gettext("Participants"),
        data: rows.map((r) => r.participants),
        borderColor: "#1b2430",
        backgroundColor: "#1b2430",
        tension: 0.2,
      },
    ];
    for (let i = 0; i < k; i++) {
      datasets.push({
        label: interpolate(gettext("Group %s"), [String.fromCharCode(65 + i)]),
        data: rows.map((r) => (r.groups[i] === undefined ? null : r.groups[i])),
        borderColor: window.AgoraMap.colour(i),
        backgroundColor: window.AgoraMap.colour(i),
        tension: 0.2,
      });
    }
    if (history) history.destroy();
    history = new Chart(canvas, {
      type: "line",
      data: { labels: rows.map((r) => new Date(r.at).toLocaleString()), datasets: datasets },
      options: {
        animation: false,
        maintainAspectRatio: false,
        responsive: true,
        scales: { x: { ticks: { maxTicksLimit: 6 } }, y: { beginAtZero: true } },
      },
    });
  }

  // Sortable table: buttons in the column headings.
  function number(cell) {
    const v = parseFloat(cell.dataset.value);
    return Number.isNaN(v) ? -Infinity : v;
  }

  document.addEventListener("click", (event) => {
    const button = event.target.closest("table[data-sortable] button.sort");
    if (!button) return;
    const th = button.closest("th");
    const table = th.closest("table");
    const index = Array.prototype.indexOf.call(th.parentNode.children, th);
    const ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("thead th").forEach((h) => h.setAttribute("aria-sort", "none"));
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    const body = table.tBodies[0];
    const rows = Array.from(body.rows);
    const numeric = button.dataset.sort === "number";
    rows.sort((a, b) => {
      const x = a.cells[index];
      const y = b.cells[index];
      const c = numeric ? number(x) - number(y) : x.dataset.value.localeCompare(y.dataset.value);
      return ascending ? c : -c;
    });
    rows.forEach((r) => body.appendChild(r));
  });

  async function refresh() {
    const data = await live.getJSON(root.dataset.dataUrl);
    if (!data.analysis || data.analysis.id === shown) return;
    shown = data.analysis.id;
    drawMap(data);
    const html = await live.getHTML(root.dataset.partUrl);
    document.getElementById("report-body").innerHTML = html;
    drawHistory();
    root.dataset.analysis = String(shown);
  }

  if (toggle && map) {
    toggle.addEventListener("change", () => map.setShowStatements(toggle.checked));
  }
  live.trackStatus();
  live.connect(root.dataset.wsPath);
  document.addEventListener("agora:analysis", () => {
    refresh().catch(() => {});
  });
  // First draw from the data endpoint (same figures as the server-rendered tables).
  live
    .getJSON(root.dataset.dataUrl)
    .then((data) => {
      if (!data.analysis) return;
      shown = data.analysis.id;
      root.dataset.analysis = String(shown);
      drawMap(data);
      drawHistory();
    })
    .catch(() => {});
})();

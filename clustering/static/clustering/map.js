// The opinion map: Chart.js scatter of participants coloured by group, group
// centres, optional statement markers and the viewer's own position. Updates
// animate points to their new places. Canvas only (no inline styles), so it
// runs under the site's Content-Security-Policy.
(function () {
  "use strict";

  // Okabe–Ito palette (distinguishable with colour-vision deficiencies).
  const COLOURS = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442"];

  function colour(index) {
    return COLOURS[index % COLOURS.length];
  }

  function wrap(text, width) {
    const words = String(text).split(/\s+/);
    const lines = [];
    let line = "";
    words.forEach((word) => {
      if ((line + " " + word).trim().length > width && line) {
        lines.push(line);
        line = word;
      } else {
        line = (line + " " + word).trim();
      }
    });
    if (line) lines.push(line);
    // CJK text has no spaces: cut long lines.
    const out = [];
    lines.forEach((l) => {
      for (let i = 0; i < l.length; i += width) out.push(l.slice(i, i + width));
    });
    return out.slice(0, 6);
  }

  class OpinionMap {
    constructor(canvas, options) {
      this.canvas = canvas;
      this.options = options || {};
      this.groupIndex = {};
      this.labels = {};
      this.texts = {};
      this.showStatements = false;
      this.chart = null;
    }

    _datasets(data) {
      const groups = data.groups || [];
      this.groupIndex = {};
      this.labels = {};
      groups.forEach((g, i) => {
        this.groupIndex[g.id] = i;
        this.labels[g.id] = g.label;
      });
      const points = (data.points || []).map((p) => ({ x: p[1], y: p[2], pid: p[0], g: p[3] }));
      const centres = groups.map((g) => ({ x: g.center[0], y: g.center[1], g: g.id, size: g.size }));
      const statements = [];
      if (this.showStatements && data.statements) {
        Object.keys(data.statements).forEach((tid) => {
          const s = data.statements[tid];
          if (!s.out && this.texts[tid]) statements.push({ x: s.proj[0], y: s.proj[1], tid: tid });
        });
      }
      const me = data.position ? [{ x: data.position[0], y: data.position[1] }] : [];
      const self = this;
      return [
        {
          label: gettext("Participants"),
          data: points,
          pointRadius: 3.5,
          pointHoverRadius: 6,
          backgroundColor: (ctx) => (ctx.raw ? colour(self.groupIndex[ctx.raw.g] || 0) + "B3" : "#888"),
          borderWidth: 0,
          order: 3,
        },
        {
          label: gettext("Group centres"),
          data: centres,
          pointStyle: "rectRot",
          pointRadius: 9,
          pointHoverRadius: 11,
          backgroundColor: (ctx) => (ctx.raw ? colour(self.groupIndex[ctx.raw.g] || 0) : "#888"),
          borderColor: "#1b2430",
          borderWidth: 2,
          order: 1,
        },
        {
          label: gettext("Statements"),
          data: statements,
          pointStyle: "triangle",
          pointRadius: 5,
          pointHoverRadius: 8,
          backgroundColor: "#4a5565",
          borderColor: "#ffffff",
          borderWidth: 1,
          order: 2,
        },
        {
          label: gettext("You"),
          data: me,
          pointStyle: "star",
          pointRadius: 13,
          pointHoverRadius: 15,
          borderColor: "#1b2430",
          backgroundColor: "#1b2430",
          borderWidth: 3,
          order: 0,
        },
      ];
    }

    _tooltip(item) {
      const raw = item.raw || {};
      switch (item.datasetIndex) {
        case 0:
          return interpolate(gettext("Participant in group %s"), [this.labels[raw.g] || "?"]);
        case 1:
          return interpolate(gettext("Group %s: %s participants"), [this.labels[raw.g] || "?", raw.size]);
        case 2:
          return wrap((this.texts[raw.tid] || {}).text || "", 48);
        default:
          return gettext("You");
      }
    }

    draw(data, texts) {
      this.data = data;
      if (texts) this.texts = texts;
      const datasets = this._datasets(data);
      if (typeof Chart === "undefined") return;
      if (!this.chart) {
        const reduce = window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
        this.chart = new Chart(this.canvas, {
          type: "scatter",
          data: { datasets: datasets },
          options: {
            animation: reduce ? false : { duration: 900, easing: "easeInOutCubic" },
            maintainAspectRatio: false,
            responsive: true,
            plugins: {
              legend: { display: false },
              tooltip: { callbacks: { label: (item) => this._tooltip(item) } },
            },
            scales: {
              x: { display: false, grace: "8%" },
              y: { display: false, grace: "8%" },
            },
          },
        });
      } else {
        const current = this.chart.data.datasets;
        datasets.forEach((ds, i) => {
          // Keep the dataset objects so that points animate to new positions.
          current[i].data = ds.data;
          current[i].backgroundColor = ds.backgroundColor;
        });
        this.chart.update();
      }
    }

    setShowStatements(flag) {
      this.showStatements = flag;
      if (this.data) this.draw(this.data);
    }

    legend(container) {
      if (!container || !this.data) return;
      container.replaceChildren();
      const list = document.createElement("ul");
      list.className = "legend";
      (this.data.groups || []).forEach((g, i) => {
        const li = document.createElement("li");
        const swatch = document.createElement("span");
        swatch.className = "swatch group-" + (i % COLOURS.length);
        swatch.setAttribute("aria-hidden", "true");
        li.append(swatch, interpolate(gettext("Group %s: %s participants"), [g.label, g.size]));
        list.append(li);
      });
      container.append(list);
    }
  }

  window.AgoraMap = { OpinionMap: OpinionMap, colour: colour };
})();

// The voting page: one statement at a time over the JSON API, keyboard
// shortcuts (A / D / P), adding a statement, changing earlier votes, and
// "where you stand" with the live opinion map. Without JavaScript the same
// forms post and the page reloads.
(function () {
  "use strict";
  const root = document.getElementById("conversation");
  if (!root) return;
  const live = window.AgoraLive;
  const api = {
    next: root.dataset.apiNext,
    votes: root.dataset.apiVotes,
    statements: root.dataset.apiStatements,
  };
  const standingURL = root.dataset.standingUrl;
  const detailURL = root.dataset.detailUrl;
  let map = null;
  let busy = false;

  function flash(message, kind) {
    let box = document.querySelector("[data-vote-message]");
    if (!box) {
      box = document.createElement("p");
      box.dataset.voteMessage = "";
      box.setAttribute("role", "alert");
      document.getElementById("vote-area").prepend(box);
    }
    box.className = "message message-" + (kind || "error");
    box.textContent = message;
  }

  function clearFlash() {
    const box = document.querySelector("[data-vote-message]");
    if (box) box.remove();
  }

  function showProgress(progress) {
    const text = document.getElementById("progress-text");
    const bar = document.getElementById("progress-bar");
    text.textContent = interpolate(
      gettext("You've voted on %(voted)s of %(total)s statements."),
      { voted: progress.voted, total: progress.total },
      true
    );
    bar.max = Math.max(progress.total, 1);
    bar.value = progress.voted;
  }

  function showStatement(statement) {
    const form = document.querySelector("[data-vote-form]");
    const area = document.getElementById("vote-area");
    if (!statement) {
      if (form) form.remove();
      const flag = area.querySelector(".flag-box");
      if (flag) flag.remove();
      if (!area.querySelector("[data-done]")) {
        area.append(document.getElementById("done-template").content.cloneNode(true));
      }
      return;
    }
    if (!form) {
      location.reload();
      return;
    }
    form.querySelector("[data-statement-id]").value = statement.id;
    form.querySelector("[data-statement-text]").textContent = statement.text;
    form.querySelector("[data-meta-note]").hidden = !statement.is_meta;
    const flagForm = document.querySelector("[data-flag-form]");
    if (flagForm) {
      flagForm.action = flagForm.action.replace(/statements\/\d+\/flag\//, "statements/" + statement.id + "/flag/");
    }
  }

  function setBusy(flag) {
    busy = flag;
    document.querySelectorAll("[data-vote-form] button, [data-change-vote] button").forEach((b) => {
      b.disabled = flag;
    });
  }

  async function loadNext() {
    const data = await live.getJSON(api.next);
    setBusy(false);
    showStatement(data.statement);
    showProgress(data.progress);
    return data;
  }

  // Refreshes of the side panels run one after another, never blocking votes.
  let refreshing = Promise.resolve();
  function refreshPanels() {
    refreshing = refreshing
      .then(() => refreshVotes())
      .then(() => refreshStanding())
      .catch(() => {});
    return refreshing;
  }

  async function refreshVotes() {
    const html = await live.getHTML(detailURL + "?part=votes");
    document.getElementById("your-votes").innerHTML = html;
  }

  async function refreshStanding() {
    const section = document.querySelector("[data-standing]");
    if (!section) return;
    const html = await live.getHTML(standingURL + "?part=html");
    section.innerHTML = html;
    map = null;
    const canvas = section.querySelector("canvas[data-map]");
    if (!canvas || !window.AgoraMap) return;
    const data = await live.getJSON(standingURL);
    if (!data.map) return;
    map = new window.AgoraMap.OpinionMap(canvas);
    map.draw(
      { groups: data.map.groups, points: data.map.points, position: data.position },
      data.texts
    );
  }

  async function sendVote(statement, value) {
    if (busy) return;
    setBusy(true);
    try {
      const result = await live.postJSON(api.votes, { statement: Number(statement), value: Number(value) });
      if (!result.ok) {
        flash(live.errorText(result.body));
        return;
      }
      clearFlash();
      await loadNext();
      refreshPanels();
    } catch (err) {
      flash(gettext("Your vote could not be sent. Check your connection and try again."));
    } finally {
      setBusy(false);
    }
  }

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (form.matches("[data-vote-form]")) {
      event.preventDefault();
      const button = event.submitter;
      if (!button) return;
      sendVote(form.querySelector("[data-statement-id]").value, button.value);
    } else if (form.matches("[data-change-vote]")) {
      event.preventDefault();
      const button = event.submitter;
      if (!button) return;
      sendVote(form.querySelector("input[name=statement]").value, button.value);
    } else if (form.matches("[data-statement-form]")) {
      event.preventDefault();
      addStatement(form);
    }
  });

  async function addStatement(form) {
    const feedback = form.querySelector("[data-statement-feedback]");
    const textarea = form.querySelector("textarea");
    feedback.className = "form-feedback";
    const result = await live.postJSON(api.statements, { text: textarea.value });
    if (!result.ok) {
      feedback.classList.add("error");
      feedback.textContent = live.errorText(result.body);
      return;
    }
    textarea.value = "";
    updateCounter(textarea);
    feedback.classList.add("success");
    feedback.textContent =
      result.body.status === "pending"
        ? gettext("Thank you. Your statement will appear once a moderator accepts it.")
        : gettext("Thank you. Your statement was added.");
    await loadNext();
    refreshPanels();
  }

  function updateCounter(textarea) {
    const counter = document.querySelector("[data-counter]");
    if (!counter) return;
    const left = 280 - textarea.value.length;
    counter.textContent = interpolate(gettext("%s characters left"), [left]);
  }

  const textarea = document.querySelector("[data-statement-form] textarea");
  if (textarea) {
    textarea.addEventListener("input", () => updateCounter(textarea));
    updateCounter(textarea);
  }

  // Keyboard shortcuts, unless the user is typing somewhere.
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const target = event.target;
    if (target.closest("input, textarea, select, [contenteditable]")) return;
    const form = document.querySelector("[data-vote-form]");
    if (!form) return;
    const key = event.key.toLowerCase();
    const button = form.querySelector('button[aria-keyshortcuts="' + key + '"]');
    if (button) {
      event.preventDefault();
      button.focus();
      button.click();
    }
  });

  live.trackStatus();
  live.connect(root.dataset.wsPath);
  document.addEventListener("agora:analysis", () => {
    refreshing = refreshing.then(() => refreshStanding()).catch(() => {});
  });
  refreshing = refreshStanding().catch(() => {});
})();

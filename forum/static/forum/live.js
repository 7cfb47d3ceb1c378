// Live forum session client: session page, presenter view and moderator console.
//
// Protocol (docs/realtime.md): the socket sends a snapshot (or a replay of the
// events after ?since=seq), then events with an increasing seq, plus "tally"
// and "presence" state frames. A gap in seq triggers a resync; a dropped
// socket reconnects with backoff and ?since=, so nothing is missed. Writes go
// over HTTP (JSON + CSRF). Text is always inserted with textContent.
(function () {
  "use strict";

  const configNode = document.getElementById("forum-live-config");
  if (!configNode) return;
  const config = JSON.parse(configNode.textContent);
  const page = config.page; // "session" | "presenter" | "moderator"
  const root = document.querySelector("[data-forum-page]");

  const gettext = window.gettext || ((s) => s);
  const ngettext = window.ngettext || ((s, p, n) => (n === 1 ? s : p));
  const interpolate = window.interpolate || ((fmt, args) => fmt.replace("%s", args[0]));

  const state = {
    seq: null,
    session: null,
    agenda: [],
    questions: new Map(),
    upvoted: new Set(config.upvoted || []),
    sort: "votes",
    viewers: null,
    highlighted: null,
    selected: null,
    // Forum → statement bridge (moderator console): conversation id -> Set of
    // question ids already added as statements.
    bridged: new Map(
      ((config.bridge && config.bridge.conversations) || []).map((c) => [c.id, new Set(c.added)])
    ),
  };

  // --- helpers -----------------------------------------------------------------

  function el(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function csrfToken() {
    const field = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (field) return field.value;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function api(method, url, body) {
    let response;
    try {
      response = await fetch(url, {
        method: method,
        credentials: "same-origin",
        headers: {
          "Content-Type": "application/json",
          Accept: "application/json",
          "X-CSRFToken": csrfToken(),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (error) {
      return { ok: false, status: 0, data: {} };
    }
    let data = {};
    try {
      data = await response.json();
    } catch (error) {
      data = {};
    }
    return { ok: response.ok, status: response.status, data: data };
  }

  function errorText(result) {
    if (result.status === 0) {
      return gettext("Could not reach the server. Check your connection and try again.");
    }
    const data = result.data || {};
    if (typeof data.detail === "string") return data.detail;
    const messages = [];
    Object.keys(data).forEach((key) => {
      const value = data[key];
      if (Array.isArray(value)) messages.push(...value.map(String));
      else if (typeof value === "string") messages.push(value);
    });
    return messages.join(" ") || gettext("Something went wrong. Please try again.");
  }

  const timeFormat = new Intl.DateTimeFormat(document.documentElement.lang || undefined, {
    hour: "2-digit",
    minute: "2-digit",
  });

  function authorLabel(question) {
    if (question.author_kind === "member" && question.author) return question.author;
    if (question.author_kind === "guest") return gettext("Guest");
    return gettext("Anonymous");
  }

  function agendaTitle(id) {
    const item = state.agenda.find((entry) => entry.id === id);
    return item ? item.title : "";
  }

  // --- connection --------------------------------------------------------------

  const statusBox = document.querySelector("[data-live-status]");
  const statusText = document.querySelector("[data-live-status-text]");
  let socket = null;
  let attempts = 0;
  let reconnectTimer = null;

  function setConnection(kind) {
    if (!statusBox) return;
    statusBox.dataset.state = kind;
    const labels = {
      connecting: gettext("Connecting…"),
      live: gettext("Live updates on"),
      reconnecting: gettext("Reconnecting…"),
    };
    statusText.textContent = labels[kind];
  }

  function connect() {
    reconnectTimer = null;
    const scheme = location.protocol === "https:" ? "wss:" : "ws:";
    let url = scheme + "//" + location.host + config.ws;
    if (state.seq !== null) url += "?since=" + state.seq;
    socket = new WebSocket(url);
    socket.addEventListener("open", () => {
      attempts = 0;
    });
    socket.addEventListener("message", (event) => {
      // Live once the snapshot (or the replay) has started to arrive.
      if (statusBox && statusBox.dataset.state !== "live") setConnection("live");
      let message;
      try {
        message = JSON.parse(event.data);
      } catch (error) {
        return;
      }
      handle(message);
    });
    socket.addEventListener("close", () => {
      socket = null;
      setConnection("reconnecting");
      scheduleReconnect();
    });
  }

  function scheduleReconnect(delay) {
    if (reconnectTimer !== null) return;
    if (delay === undefined) {
      const base = Math.min(15000, 500 * Math.pow(2, attempts));
      delay = base / 2 + Math.random() * (base / 2);
      attempts += 1;
    }
    reconnectTimer = window.setTimeout(connect, delay);
  }

  function resync() {
    // A gap in seq: reconnect at once with ?since=, which replays what we missed.
    if (socket) {
      socket.close();
    }
  }

  // --- state changes ------------------------------------------------------------

  function handle(message) {
    switch (message.type) {
      case "snapshot":
        state.seq = message.seq;
        state.session = message.session;
        state.agenda = message.agenda;
        state.questions = new Map(message.questions.map((q) => [q.id, q]));
        state.viewers = message.viewers;
        setHighlight(message.session.highlighted, false);
        renderAll();
        return;
      case "tally":
        Object.keys(message.counts).forEach((id) => {
          const question = state.questions.get(Number(id));
          if (question) question.upvotes = message.counts[id];
        });
        scheduleRender();
        return;
      case "presence":
        state.viewers = message.viewers;
        renderViewers();
        return;
      case "error":
      case "pong":
        return;
      default:
        break;
    }
    if (typeof message.seq !== "number" || state.seq === null) return;
    if (message.seq <= state.seq) return; // already applied
    if (message.seq > state.seq + 1) {
      resync();
      return;
    }
    state.seq = message.seq;
    applyEvent(message);
  }

  function applyEvent(event) {
    if (event.type === "question.added" || event.type === "question.updated") {
      const question = event.question;
      const known = state.questions.get(question.id);
      // A tally may be newer than the event's count: keep the larger news.
      state.questions.set(question.id, Object.assign({}, known || {}, question));
      if (state.highlighted === question.id && question.status !== "visible") {
        setHighlight(null, true);
      }
      scheduleRender();
    } else if (event.type === "agenda.updated") {
      state.agenda = event.items;
      if (state.session) state.session.current_item = event.current;
      renderAgenda();
    } else if (event.type === "session.updated") {
      state.session = event.session;
      setHighlight(event.session.highlighted, true);
      renderSession();
      scheduleRender();
    }
  }

  // --- rendering ----------------------------------------------------------------

  let renderQueued = false;
  function scheduleRender() {
    if (renderQueued) return;
    renderQueued = true;
    window.requestAnimationFrame(() => {
      renderQueued = false;
      renderQuestions();
      renderHighlight();
    });
  }

  function renderAll() {
    renderSession();
    renderAgenda();
    renderQuestions();
    renderHighlight();
    renderViewers();
  }

  function renderViewers() {
    if (state.viewers === null) return;
    const label = interpolate(
      ngettext("%s watching", "%s watching", state.viewers),
      [state.viewers]
    );
    document.querySelectorAll("[data-viewers]").forEach((node) => {
      node.hidden = false;
      node.textContent = "· " + label;
    });
    document.querySelectorAll("[data-viewer-number]").forEach((node) => {
      node.textContent = String(state.viewers);
    });
  }

  function renderSession() {
    if (!state.session) return;
    const status = state.session.status;
    const labels = {
      scheduled: gettext("Scheduled"),
      live: gettext("Live"),
      ended: gettext("Ended"),
    };
    document.querySelectorAll("[data-session-status]").forEach((badge) => {
      badge.textContent = labels[status] || status;
      badge.classList.toggle("badge-live", status === "live");
      badge.classList.toggle("badge-primary", status === "scheduled");
    });
    document.querySelectorAll("[data-session-action]").forEach((button) => {
      const action = button.dataset.sessionAction;
      button.hidden = action === "live" ? status !== "scheduled" : status === "ended";
    });
    const form = document.querySelector("[data-ask-form]");
    if (form && status === "ended") {
      form.hidden = true;
    }
  }

  function renderAgenda() {
    const current = state.session ? state.session.current_item : null;
    document.querySelectorAll("[data-agenda-item]").forEach((item) => {
      const isCurrent = Number(item.dataset.agendaItem) === current;
      item.classList.toggle("current", isCurrent);
      if (isCurrent) item.setAttribute("aria-current", "step");
      else item.removeAttribute("aria-current");
    });
  }

  function setHighlight(id, announce) {
    const previous = state.highlighted;
    state.highlighted = id || null;
    if (announce && state.highlighted && state.highlighted !== previous) {
      const question = state.questions.get(state.highlighted);
      const announcer = document.querySelector("[data-announcer]");
      if (question && announcer) {
        announcer.textContent = interpolate(gettext("Now answering: %s"), [question.body]);
      }
    }
  }

  function renderHighlight() {
    const question = state.highlighted ? state.questions.get(state.highlighted) : null;
    document.querySelectorAll("[data-highlight-box]").forEach((box) => {
      const text = box.querySelector("[data-highlight-text]");
      const author = box.querySelector("[data-highlight-author]");
      if (page === "presenter") {
        text.textContent = question ? question.body : gettext("No question is being answered yet.");
        if (author) author.textContent = question ? authorLabel(question) : "";
        box.classList.toggle("has-question", Boolean(question));
      } else {
        box.hidden = !question;
        text.textContent = question ? question.body : "";
      }
    });
  }

  function byVotes(a, b) {
    return b.upvotes - a.upvotes || a.created_at.localeCompare(b.created_at) || a.id - b.id;
  }
  function byTime(a, b) {
    return b.created_at.localeCompare(a.created_at) || b.id - a.id;
  }
  function byAnswered(a, b) {
    return (b.answered_at || "").localeCompare(a.answered_at || "") || b.id - a.id;
  }

  function listsFor(questions) {
    const all = Array.from(questions.values());
    const of = (...statuses) => all.filter((q) => statuses.includes(q.status));
    if (page === "presenter") {
      return { top: of("visible").sort(byVotes).slice(0, 6) };
    }
    const openSort = state.sort === "time" ? byTime : byVotes;
    if (page === "moderator") {
      return {
        pending: of("pending").sort((a, b) => a.created_at.localeCompare(b.created_at)),
        open: of("visible").sort(openSort),
        answered: of("answered").sort(byAnswered),
        removed: of("dismissed", "hidden").sort(byTime),
      };
    }
    return {
      open: of("visible", "pending").sort(openSort),
      answered: of("answered").sort(byAnswered),
    };
  }

  const elements = new Map(); // question id -> li

  function renderQuestions() {
    const lists = listsFor(state.questions);
    const active = document.activeElement;
    const seen = new Set();
    Object.keys(lists).forEach((name) => {
      const container = root.querySelector('[data-questions="' + name + '"]');
      if (!container) return;
      const items = lists[name];
      items.forEach((question, index) => {
        seen.add(question.id);
        let node = elements.get(question.id);
        if (!node) {
          node = el("li", "question");
          node.dataset.id = String(question.id);
          elements.set(question.id, node);
        }
        fillQuestion(node, question);
        if (container.children[index] !== node) {
          container.insertBefore(node, container.children[index] || null);
        }
      });
      while (container.children.length > items.length) {
        const extra = container.children[items.length];
        if (!seen.has(Number(extra.dataset.id))) elements.delete(Number(extra.dataset.id));
        container.removeChild(extra);
      }
      const empty = root.querySelector('[data-empty="' + name + '"]');
      if (empty) empty.hidden = items.length > 0;
      const count = root.querySelector('[data-count="' + name + '"]');
      if (count) count.textContent = String(items.length);
    });
    elements.forEach((node, id) => {
      if (!seen.has(id)) {
        node.remove();
        elements.delete(id);
      }
    });
    if (active && active !== document.activeElement && document.contains(active)) {
      active.focus();
    }
    if (page === "moderator") updateRovingFocus();
  }

  function fillQuestion(node, question) {
    const signature = JSON.stringify([
      question.body, question.status, question.upvotes, question.author,
      question.agenda_item, state.upvoted.has(question.id),
      state.highlighted === question.id, state.session && state.session.status,
      bridgeSignature(question.id),
    ]);
    if (node.dataset.signature === signature) return;
    node.dataset.signature = signature;
    const hadFocus = node.contains(document.activeElement);
    const focusedAction = hadFocus && document.activeElement.dataset
      ? document.activeElement.dataset.action
      : null;
    node.replaceChildren();
    node.classList.toggle("is-highlighted", state.highlighted === question.id);
    node.classList.toggle("is-pending", question.status === "pending");

    node.append(page === "session" ? voteButton(question) : voteCount(question));

    const body = el("div", "question-body");
    body.append(el("p", "question-text", question.body));
    const meta = el("p", "question-meta");
    meta.append(el("span", "question-author", authorLabel(question)));
    if (question.agenda_item) meta.append(el("span", "muted", "· " + agendaTitle(question.agenda_item)));
    const asked = new Date(question.created_at);
    if (!Number.isNaN(asked.getTime())) {
      const time = el("time", "muted", "· " + timeFormat.format(asked));
      time.dateTime = question.created_at;
      meta.append(time);
    }
    if (question.status === "pending") {
      meta.append(el("span", "badge badge-warning", gettext("Awaiting moderation")));
    }
    if (state.highlighted === question.id) {
      meta.append(el("span", "badge badge-live", gettext("Now answering")));
    }
    if (question.status === "hidden") meta.append(el("span", "badge badge-danger", gettext("Hidden")));
    if (question.status === "dismissed") meta.append(el("span", "badge", gettext("Dismissed")));
    body.append(meta);
    node.append(body);

    if (page === "moderator") {
      node.tabIndex = -1;
      node.setAttribute("aria-label", question.body);
      node.append(moderatorActions(question));
      if (focusedAction) {
        const again = node.querySelector('[data-action="' + focusedAction + '"]');
        (again || node).focus();
      }
    }
  }

  function voteCount(question) {
    const box = el("div", "vote-count");
    box.append(el("strong", null, String(question.upvotes)));
    box.append(el("span", "visually-hidden", " " + ngettext("upvote", "upvotes", question.upvotes)));
    return box;
  }

  function voteButton(question) {
    const upvoted = state.upvoted.has(question.id);
    const button = el("button", "vote-button");
    button.type = "button";
    button.setAttribute("aria-pressed", upvoted ? "true" : "false");
    const canVote = question.status === "visible" &&
      !(state.session && state.session.status === "ended");
    button.disabled = !canVote;
    // Accessible name: "3 upvotes: upvote this question" (pressed when yours).
    const arrow = el("span", "vote-arrow", "▲");
    arrow.setAttribute("aria-hidden", "true");
    button.append(arrow);
    button.append(el("span", "vote-number", String(question.upvotes)));
    button.append(
      el(
        "span",
        "visually-hidden",
        " " + ngettext("upvote", "upvotes", question.upvotes) + ": " +
          gettext("upvote this question")
      )
    );
    button.addEventListener("click", () => toggleUpvote(question.id, button));
    return button;
  }

  async function toggleUpvote(id, button) {
    const question = state.questions.get(id);
    if (!question) return;
    const upvote = !state.upvoted.has(id);
    const url = config.api.upvote.replace("/0/", "/" + id + "/");
    button.disabled = true;
    const result = await api(upvote ? "POST" : "DELETE", url);
    button.disabled = false;
    if (result.ok) {
      if (result.data.upvoted) state.upvoted.add(id);
      else state.upvoted.delete(id);
      question.upvotes = result.data.upvotes;
      scheduleRender();
    } else {
      showError(errorText(result));
    }
  }

  function showError(text) {
    const box =
      document.querySelector("[data-console-errors]") ||
      document.querySelector("[data-ask-errors]");
    if (box) box.textContent = text;
  }

  // --- asking --------------------------------------------------------------------

  const askForm = document.querySelector("[data-ask-form]");
  if (askForm) {
    askForm.addEventListener("submit", async (event) => {
      event.preventDefault();
      const errors = askForm.querySelector("[data-ask-errors]");
      const done = askForm.querySelector("[data-ask-done]");
      const textarea = askForm.querySelector("textarea[name=body]");
      const item = askForm.querySelector("select[name=agenda_item]");
      const anonymous = askForm.querySelector("input[name=anonymous]");
      const button = askForm.querySelector("button[type=submit]");
      errors.textContent = "";
      done.textContent = "";
      if (!textarea.value.trim()) {
        errors.textContent = gettext("Write your question first.");
        textarea.focus();
        return;
      }
      button.disabled = true;
      const result = await api("POST", config.api.ask, {
        body: textarea.value,
        anonymous: Boolean(anonymous && anonymous.checked),
        agenda_item: item && item.value ? Number(item.value) : null,
      });
      button.disabled = false;
      if (result.ok) {
        const question = result.data;
        textarea.value = "";
        done.textContent =
          question.status === "pending"
            ? gettext("Thanks! A moderator will review your question before it appears.")
            : gettext("Your question was posted.");
        if (!state.questions.has(question.id)) {
          state.questions.set(question.id, question);
          scheduleRender();
        }
      } else {
        errors.textContent = errorText(result);
        textarea.focus();
      }
    });
  }

  // --- sorting -----------------------------------------------------------------

  document.querySelectorAll("[data-sort]").forEach((button) => {
    button.addEventListener("click", () => {
      state.sort = button.dataset.sort;
      document.querySelectorAll("[data-sort]").forEach((other) => {
        other.setAttribute("aria-pressed", other === button ? "true" : "false");
      });
      renderQuestions();
    });
  });

  // --- moderating --------------------------------------------------------------

  const ACTIONS = {
    pending: ["approve", "dismiss", "hide"],
    visible: ["highlight", "answer", "dismiss", "hide"],
    answered: ["restore", "hide"],
    dismissed: ["restore"],
    hidden: ["restore"],
  };
  const ACTION_LABELS = {
    approve: () => gettext("Approve"),
    dismiss: () => gettext("Dismiss"),
    highlight: () => gettext("Highlight"),
    answer: () => gettext("Mark answered"),
    hide: () => gettext("Hide"),
    restore: () => gettext("Restore"),
  };
  const SHORTCUTS = { a: "approve", d: "dismiss", h: "highlight", m: "answer", x: "hide", r: "restore" };

  function moderatorActions(question) {
    const box = el("div", "question-actions");
    (ACTIONS[question.status] || []).forEach((action) => {
      if (action === "highlight" && state.highlighted === question.id) return;
      const button = el("button", "btn btn-small " + (action === "approve" || action === "highlight" ? "" : "btn-secondary"), ACTION_LABELS[action]());
      button.type = "button";
      button.dataset.action = action;
      button.addEventListener("click", () => moderate(question.id, action));
      box.append(button);
    });
    bridgeActions(question, box);
    return box;
  }

  // --- forum -> statement bridge ---------------------------------------------

  const BRIDGE_STATUSES = ["pending", "visible", "answered"];

  function bridgeConversations() {
    return (config.bridge && config.bridge.conversations) || [];
  }

  function bridgeSignature(questionId) {
    return bridgeConversations()
      .map((c) => (state.bridged.get(c.id).has(questionId) ? "1" : "0"))
      .join("");
  }

  function bridgeActions(question, box) {
    const conversations = bridgeConversations();
    if (!BRIDGE_STATUSES.includes(question.status)) return;
    conversations.forEach((conversation) => {
      const several = conversations.length > 1;
      if (state.bridged.get(conversation.id).has(question.id)) {
        const done = el(
          "span",
          "badge badge-primary",
          several
            ? interpolate(gettext("In “%s”"), [conversation.topic])
            : gettext("Added to conversation")
        );
        done.dataset.bridged = String(conversation.id);
        box.append(done);
        return;
      }
      const button = el(
        "button",
        "btn btn-small btn-secondary",
        several
          ? interpolate(gettext("Add to “%s”"), [conversation.topic])
          : gettext("Add to conversation")
      );
      button.type = "button";
      button.dataset.action = "to-statement";
      button.dataset.conversation = String(conversation.id);
      if (!several) {
        button.title = interpolate(gettext("Add as a statement to “%s”"), [conversation.topic]);
      }
      button.addEventListener("click", () => addToConversation(question.id, conversation.id, button));
      box.append(button);
    });
  }

  async function addToConversation(questionId, conversationId, button) {
    const url = config.bridge.url.replace("/0/", "/" + questionId + "/");
    button.disabled = true;
    const result = await api("POST", url, { conversation: conversationId });
    button.disabled = false;
    const box = document.querySelector("[data-console-errors]");
    if (!result.ok) {
      showError(errorText(result));
      return;
    }
    if (box) box.textContent = "";
    state.bridged.get(conversationId).add(questionId);
    const announcer = document.querySelector("[data-announcer]");
    if (announcer) announcer.textContent = gettext("The question was added as a statement.");
    const question = state.questions.get(questionId);
    const node = elements.get(questionId);
    if (question && node) fillQuestion(node, question);
  }

  async function moderate(id, action) {
    const url = config.api.moderate.replace("/0/", "/" + id + "/");
    const result = await api("POST", url, { action: action });
    const box = document.querySelector("[data-console-errors]");
    if (!result.ok) showError(errorText(result));
    else if (box) box.textContent = "";
  }

  function questionNodes() {
    return Array.from(root.querySelectorAll("li.question"));
  }

  function updateRovingFocus() {
    const nodes = questionNodes();
    if (!nodes.length) return;
    if (!nodes.some((node) => node.tabIndex === 0)) nodes[0].tabIndex = 0;
  }

  if (page === "moderator") {
    document.addEventListener("keydown", (event) => {
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      const target = event.target;
      if (target.closest && target.closest("input, textarea, select, [contenteditable]")) return;
      const nodes = questionNodes();
      if (!nodes.length) return;
      const current = target.closest ? target.closest("li.question") : null;
      const index = current ? nodes.indexOf(current) : -1;
      const key = event.key.toLowerCase();
      if (key === "j" || key === "k") {
        event.preventDefault();
        const next = key === "j" ? Math.min(nodes.length - 1, index + 1) : Math.max(0, index - 1);
        nodes.forEach((node) => (node.tabIndex = -1));
        nodes[next].tabIndex = 0;
        nodes[next].focus();
        return;
      }
      const action = SHORTCUTS[key];
      if (!action || !current) return;
      const button = current.querySelector('[data-action="' + action + '"]');
      if (button) {
        event.preventDefault();
        button.click();
      }
    });

    document.querySelectorAll("[data-make-current]").forEach((button) => {
      button.addEventListener("click", async () => {
        const result = await api("POST", config.api.agenda, {
          item: Number(button.dataset.makeCurrent),
        });
        if (!result.ok) showError(errorText(result));
      });
    });

    document.querySelectorAll("[data-session-action]").forEach((button) => {
      button.addEventListener("click", async () => {
        const status = button.dataset.sessionAction;
        if (status === "ended" && !window.confirm(gettext("End the session for everyone?"))) return;
        const result = await api("POST", config.api.status, { status: status });
        if (!result.ok) showError(errorText(result));
      });
    });
  }

  // Keep the socket alive through proxies that close idle connections.
  window.setInterval(() => {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify({ type: "ping" }));
    }
  }, 30000);

  window.addEventListener("online", () => {
    if (!socket) {
      window.clearTimeout(reconnectTimer);
      reconnectTimer = null;
      scheduleReconnect(0);
    }
  });

  // For debugging and the browser tests: the client's view of the session,
  // its frame handler, and a way to drop the connection (it then reconnects).
  root.forumClient = {
    state: state,
    handle: handle,
    drop: () => socket && socket.close(),
  };

  setConnection("connecting");
  connect();
})();

// Live updates for conversation pages: one websocket per page, reconnecting
// with back-off. Frames are JSON with a "type"; each becomes a DOM event
// "agora:<type>" on document (detail = the frame).
(function () {
  "use strict";

  function connect(path) {
    if (!path || !("WebSocket" in window)) return null;
    const scheme = location.protocol === "https:" ? "wss://" : "ws://";
    let delay = 1000;
    let socket = null;
    let closedByPage = false;

    function open() {
      socket = new WebSocket(scheme + location.host + path);
      socket.addEventListener("open", () => {
        delay = 1000;
        document.documentElement.dataset.live = "open";
      });
      socket.addEventListener("message", (event) => {
        let frame;
        try {
          frame = JSON.parse(event.data);
        } catch (err) {
          return;
        }
        if (frame && typeof frame.type === "string") {
          document.dispatchEvent(new CustomEvent("agora:" + frame.type, { detail: frame }));
        }
      });
      socket.addEventListener("close", () => {
        document.documentElement.dataset.live = "closed";
        if (closedByPage) return;
        setTimeout(open, delay);
        delay = Math.min(delay * 2, 30000);
      });
    }
    window.addEventListener("pagehide", () => {
      closedByPage = true;
      if (socket) socket.close();
    });
    open();
    return { send: (obj) => socket && socket.readyState === 1 && socket.send(JSON.stringify(obj)) };
  }

  function csrfToken() {
    const input = document.querySelector("input[name=csrfmiddlewaretoken]");
    if (input) return input.value;
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function postJSON(url, data) {
    const response = await fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        "Content-Type": "application/json",
        "X-CSRFToken": csrfToken(),
        Accept: "application/json",
      },
      body: JSON.stringify(data),
    });
    let body = {};
    try {
      body = await response.json();
    } catch (err) {
      body = {};
    }
    return { ok: response.ok, status: response.status, body: body };
  }

  async function getJSON(url) {
    const response = await fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.json();
  }

  async function getHTML(url) {
    const response = await fetch(url, { credentials: "same-origin" });
    if (!response.ok) throw new Error("HTTP " + response.status);
    return response.text();
  }

  // Turn a DRF error body into one readable message.
  function errorText(body) {
    if (!body || typeof body !== "object") return gettext("Something went wrong. Please try again.");
    if (typeof body.detail === "string") return body.detail;
    const parts = [];
    Object.keys(body).forEach((key) => {
      const value = body[key];
      if (Array.isArray(value)) parts.push(value.join(" "));
      else if (typeof value === "string") parts.push(value);
    });
    return parts.join(" ") || gettext("Something went wrong. Please try again.");
  }

  // Show or hide the "results updating" line from a snapshot/status frame.
  function trackStatus() {
    const line = document.querySelector("[data-results-status]");
    if (!line) return;
    function show(updating, failed) {
      line.hidden = !(updating || failed);
    }
    document.addEventListener("agora:snapshot", (e) => show(e.detail.updating, e.detail.failed));
    document.addEventListener("agora:status", (e) => show(e.detail.updating, e.detail.failed));
    document.addEventListener("agora:analysis", () => show(false, false));
  }

  window.AgoraLive = { connect, postJSON, getJSON, getHTML, errorText, trackStatus, csrfToken };
})();

// Version form: live Markdown preview rendered by the server's sanitiser.
(() => {
  "use strict";

  const form = document.querySelector("form.version-form");
  const output = document.getElementById("preview");
  const status = document.getElementById("preview-status");
  if (!form || !output) return;
  const body = form.querySelector("textarea[name=body]");
  const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  let timer = null;
  let pending = null;

  const refresh = async () => {
    if (pending) pending.abort();
    pending = new AbortController();
    try {
      const response = await fetch(form.dataset.previewUrl, {
        method: "POST",
        headers: { "X-CSRFToken": token, Accept: "application/json" },
        body: new URLSearchParams({ body: body.value }),
        credentials: "same-origin",
        signal: pending.signal,
      });
      if (!response.ok) throw new Error(String(response.status));
      const data = await response.json();
      // The HTML comes from the server's one sanitiser (common/sanitize.py).
      output.innerHTML = data.html;
      if (status) status.textContent = status.dataset.msgUpdated || "";
    } catch (error) {
      if (error.name === "AbortError") return;
      if (status) status.textContent = status.dataset.msgError || "Error";
    }
  };

  form.querySelector(".preview-button")?.addEventListener("click", (event) => {
    event.preventDefault();
    refresh();
  });
  body.addEventListener("input", () => {
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 700);
  });
  // Show the sections of the text being edited straight away.
  if (body.value.trim() && !output.querySelector("section")) refresh();
})();

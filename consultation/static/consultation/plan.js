// Plan pages: quote a selected passage, endorse without reloading.
// Progressive enhancement: every action also works as a plain form.
(() => {
  "use strict";

  const live = document.getElementById("live-status");
  const say = (key, fallback) => {
    if (!live) return;
    const text = (live.dataset[key] || fallback || "").trim();
    live.textContent = "";
    // A fresh text node makes screen readers announce repeated messages too.
    window.setTimeout(() => { live.textContent = text; }, 50);
  };

  // --- Quote selection ------------------------------------------------------
  let lastSelection = null;
  document.addEventListener("selectionchange", () => {
    const selection = window.getSelection();
    if (!selection || selection.isCollapsed) return;
    const node = selection.anchorNode;
    const element = node && (node.nodeType === 1 ? node : node.parentElement);
    if (!element || !element.closest("[data-section-text], .section-heading")) return;
    const section = element.closest(".plan-section, .section-card");
    if (!section) return;
    lastSelection = {
      section,
      text: selection.toString().replace(/\s+/g, " ").trim(),
    };
  });

  document.querySelectorAll(".quote-selection").forEach((button) => {
    button.addEventListener("click", () => {
      const target = document.getElementById(button.dataset.quoteTarget);
      const section = button.closest(".plan-section");
      const usable =
        lastSelection && lastSelection.text &&
        (!section || lastSelection.section === section);
      if (!target || !usable) {
        say("msgNoSelection", "Select a passage first.");
        return;
      }
      target.value = lastSelection.text.slice(0, 1000);
      target.focus();
      say("msgQuoted", "Quoted.");
    });
  });

  // --- Endorse ----------------------------------------------------------------
  document.querySelectorAll("form.endorse-form").forEach((form) => {
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const input = form.querySelector("input[name=endorse]");
      const button = form.querySelector("button");
      const token = form.querySelector("input[name=csrfmiddlewaretoken]").value;
      const endorse = input.value === "1";
      button.disabled = true;
      try {
        const response = await fetch(form.dataset.api, {
          method: endorse ? "POST" : "DELETE",
          headers: { "X-CSRFToken": token, Accept: "application/json" },
          credentials: "same-origin",
        });
        const data = await response.json().catch(() => ({}));
        if (!response.ok) {
          if (live && data.detail) {
            live.textContent = data.detail;
          } else {
            say("msgError", "Error.");
          }
          return;
        }
        input.value = data.endorsed ? "0" : "1";
        button.setAttribute("aria-pressed", data.endorsed ? "true" : "false");
        const count = document.getElementById(button.getAttribute("aria-describedby"));
        if (count) {
          const label = data.endorsements === 1
            ? form.dataset.labelCountOne
            : form.dataset.labelCountMany;
          count.textContent = `${data.endorsements} ${label}`;
        }
        say(data.endorsed ? "msgEndorsed" : "msgUnendorsed");
      } catch (error) {
        say("msgError", "Error.");
      } finally {
        button.disabled = false;
      }
    });
  });
})();

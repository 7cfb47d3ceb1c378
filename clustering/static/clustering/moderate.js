// Moderation queue: "select all" for bulk actions.
(function () {
  "use strict";
  document.querySelectorAll("[data-select-all]").forEach((box) => {
    box.addEventListener("change", () => {
      const group = box.dataset.selectAll;
      document.querySelectorAll('input[data-group="' + group + '"]').forEach((item) => {
        item.checked = box.checked;
      });
    });
  });
})();

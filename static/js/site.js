// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  function typeset(root) {
    if (typeof window.renderMathInElement !== "function") return;
    root.querySelectorAll(".math").forEach(function (element) {
      if (element.dataset.typeset) return;
      element.dataset.typeset = "1";
      window.renderMathInElement(element, {
        delimiters: [
          { left: "$$", right: "$$", display: true },
          { left: "\\[", right: "\\]", display: true },
          { left: "$", right: "$", display: false },
          { left: "\\(", right: "\\)", display: false },
        ],
        throwOnError: false,
        trust: false,
        strict: "ignore",
      });
    });
  }

  // Abstracts start folded to three lines, with a "more" button, only when they overflow.
  function fold(root) {
    root.querySelectorAll("[data-foldable]").forEach(function (element) {
      if (element.dataset.folded) return;
      element.dataset.folded = "1";
      element.classList.add("is-folded");
      if (element.scrollHeight <= element.clientHeight + 2) {
        element.classList.remove("is-folded");
        return;
      }
      if (!element.id) element.id = "abstract-" + Math.random().toString(36).slice(2);
      var button = document.createElement("button");
      button.type = "button";
      button.className = "fold-toggle";
      button.textContent = "more";
      button.setAttribute("aria-expanded", "false");
      button.setAttribute("aria-controls", element.id);
      button.addEventListener("click", function () {
        var folded = element.classList.toggle("is-folded");
        button.textContent = folded ? "more" : "less";
        button.setAttribute("aria-expanded", String(!folded));
      });
      element.insertAdjacentElement("afterend", button);
    });
  }

  function enhance(root) {
    typeset(root);
    fold(root);
  }

  document.addEventListener("DOMContentLoaded", function () { enhance(document); });
  document.addEventListener("htmx:afterSettle", function (event) { enhance(event.target); });
  // Keep the slot honest if the graph request fails.
  document.addEventListener("htmx:responseError", function (event) {
    var target = event.detail.target;
    if (target && target.id === "graph-slice") {
      target.removeAttribute("aria-busy");
      target.innerHTML = '<p class="empty">The research graph could not be loaded. <a href="' +
        event.detail.requestConfig.path + '">Open it as a page</a>.</p>';
    }
  });
})();

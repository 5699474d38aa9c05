// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // KaTeX (about 270 KB) is fetched only by pages whose text holds maths: the server marks
  // those elements with the class "math".
  var assets = document.currentScript ? document.currentScript.dataset : {};
  var katexLoading = null;

  function load(tag, attributes) {
    return new Promise(function (resolve, reject) {
      var element = document.createElement(tag);
      Object.keys(attributes).forEach(function (name) { element[name] = attributes[name]; });
      element.onload = resolve;
      element.onerror = reject;
      document.head.appendChild(element);
    });
  }

  function loadKatex() {
    if (!katexLoading) {
      katexLoading = Promise.all([
        load("link", { rel: "stylesheet", href: assets.katexCss }),
        load("script", { src: assets.katex }).then(function () {
          return load("script", { src: assets.katexRender });
        }),
      ]);
    }
    return katexLoading;
  }

  function typeset(root) {
    var pending = Array.prototype.filter.call(root.querySelectorAll(".math"), function (element) {
      return !element.dataset.typeset;
    });
    if (!pending.length || !assets.katex) return;
    loadKatex().then(function () {
      pending.forEach(function (element) {
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
    }, function () { /* Without KaTeX the TeX source stays readable. */ });
  }

  // Foldable text arrives folded (class is-folded; noscript.css unfolds it without JavaScript).
  // All measurements are read first and written after, so the page is laid out once, not
  // once per abstract.
  function fold(root) {
    var elements = Array.prototype.filter.call(root.querySelectorAll("[data-foldable]"), function (element) {
      return !element.dataset.folded;
    });
    var overflowing = elements.map(function (element) {
      return element.scrollHeight > element.clientHeight + 2;
    });
    elements.forEach(function (element, index) {
      element.dataset.folded = "1";
      if (!overflowing[index]) {
        element.classList.remove("is-folded");
        return;
      }
      if (!element.id) element.id = "fold-" + Math.random().toString(36).slice(2);
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

  // The header search box: an ARIA combobox (APG's list autocomplete). htmx fills the listbox
  // as one types (debounced, stale requests replaced); this adds the keys: arrows move, Enter
  // opens the option, Escape closes the list, then clears. Without JS the form just submits.
  function combobox() {
    var input = document.getElementById("site-search-q");
    var list = document.getElementById("site-search-listbox");
    var status = document.getElementById("site-search-status");
    if (!input || !list) return;
    var active = -1;

    function options() { return list.querySelectorAll('[role="option"]'); }
    function open(show) {
      var has = options().length > 0;
      list.hidden = !(show && has);
      input.setAttribute("aria-expanded", String(!list.hidden));
      if (list.hidden) select(-1);
    }
    function select(index) {
      var all = options();
      active = index;
      all.forEach(function (option, i) {
        option.setAttribute("aria-selected", String(i === index));
      });
      if (index >= 0 && all[index]) {
        input.setAttribute("aria-activedescendant", all[index].id);
        all[index].scrollIntoView({ block: "nearest" });
      } else {
        input.removeAttribute("aria-activedescendant");
      }
    }

    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target !== list) return;
      var count = list.querySelectorAll('[role="option"]:not(#suggest-all)').length;
      open(document.activeElement === input && input.value.trim().length >= 2);
      status.textContent = count ? count + (count === 1 ? " suggestion" : " suggestions") +
        ". Use the up and down arrows to choose." : "No suggestions.";
    });
    input.addEventListener("keydown", function (event) {
      var all = options();
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (!all.length) return;
        event.preventDefault();
        if (list.hidden) open(true);
        // Past either end the choice returns to the box itself (-1).
        var next = active + (event.key === "ArrowDown" ? 1 : -1);
        if (next < -1) next = all.length - 1;
        if (next >= all.length) next = -1;
        select(next);
      } else if (event.key === "Enter" && active >= 0 && !list.hidden) {
        event.preventDefault();
        window.location.assign(all[active].dataset.href);
      } else if (event.key === "Escape") {
        if (!list.hidden) {
          event.preventDefault();
          open(false);
        } else if (input.value) {
          event.preventDefault();
          input.value = "";
        }
      }
    });
    input.addEventListener("blur", function () { open(false); });
    input.addEventListener("focus", function () { open(input.value.trim().length >= 2); });
    // A click on an option follows its link; keep the focus in the box until then.
    list.addEventListener("mousedown", function (event) { event.preventDefault(); });
  }

  document.addEventListener("DOMContentLoaded", combobox);
})();

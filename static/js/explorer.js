// The research graph explorer. The page already lists the focus's neighbourhood as links; this
// file draws it with Cytoscape, expands nodes from the JSON endpoint on click or Enter, filters by
// kind and year, and records the view in the URL so it can be reloaded or shared.
(function () {
  "use strict";

  const KINDS = ["person", "paper", "topic", "institution"];
  const KIND_NAMES = { person: "Person", paper: "Paper", topic: "Topic", institution: "Institution" };
  const EDGE_NAMES = {
    coauthor: "Co-authorship",
    authored: "Authorship",
    about: "Topic",
    affiliated: "Affiliation",
  };
  // Left, top, right and bottom of a node's box (shape and label) around its position, when the
  // server sent none: the largest a neighbour's can be (graph/layout.py).
  const DEFAULT_BOX = [-72, -17, 72, 45];
  const FIT_PADDING = 12;
  const MAX_FIT_ZOOM = 1.6;
  const MAX_PIXEL_RATIO = 1.25;
  const PANEL_EDGE_LIMIT = 40;
  const REFRESH_DELAY_MS = 350;

  function start() {
    const root = document.getElementById("explorer");
    const dataElement = document.getElementById("explorer-data");
    if (!root || !dataElement) return;
    const initial = JSON.parse(dataElement.textContent);
    if (!initial || !initial.node) return;
    const message = document.getElementById("explorer-message");
    if (typeof window.cytoscape !== "function") {
      document.getElementById("explorer-filters").hidden = true;
      document.getElementById("explorer-stage").hidden = true;
      message.textContent = "The graph drawing could not be loaded; the nodes are listed below.";
      message.classList.add("explorer-message--error");
      return;
    }
    new Explorer(root, initial).run();
  }

  class ExplorerError extends Error {}

  class Explorer {
    constructor(root, initial) {
      this.root = root;
      this.initial = initial;
      this.api = root.dataset.api;
      this.focusSlug = root.dataset.focus;
      this.focusId = initial.node.id;
      this.expanded = []; // ids expanded after the focus, in order: what the URL records
      this.pending = new Map();
      this.items = new Map(); // node id -> its entry in "Nodes in view"
      this.selectedId = this.focusId;
      this.kinds = new Set(KINDS);
      this.from = null;
      this.to = null;
      this.refreshTimer = null;
      this.starting = true;
      this.refreshing = false;

      this.form = document.getElementById("explorer-filters");
      this.stage = document.getElementById("explorer-stage");
      this.canvas = document.getElementById("explorer-canvas");
      this.message = document.getElementById("explorer-message");
      this.panel = {
        kicker: document.getElementById("explorer-panel-kicker"),
        title: document.getElementById("explorer-panel-title"),
        kind: document.getElementById("explorer-panel-kind"),
        detail: document.getElementById("explorer-panel-detail"),
        open: document.getElementById("explorer-panel-open"),
        links: document.getElementById("explorer-panel-links"),
        edges: document.getElementById("explorer-panel-edges"),
      };
      this.groups = {};
      root.querySelectorAll(".explorer-group").forEach((group) => {
        this.groups[group.dataset.kind] = {
          element: group,
          list: group.querySelector(".explorer-nodes"),
          count: this.groupCount(group),
          none: null,
        };
      });
    }

    async run() {
      const restore = this.readUrl();
      this.prepareList();
      this.cy = this.createGraph();
      this.bindForm();
      this.updateState();
      // The first drawing in a few short tasks rather than one long one, so a slow phone can
      // answer a tap in between: the nodes are drawn in one frame, their edges in the next.
      await nextTask();
      this.addNodes(this.initial);
      this.markExpanded(this.focusId);
      await nextTask();
      this.applyFilters();
      this.fit();
      this.select(this.focusId);
      await nextFrame();
      this.addEdges(this.initial);
      this.showNode(this.selectedId, false);

      // A shared URL is replayed in order, and drawn once at the end.
      const filtered = this.kinds.size < KINDS.length || this.from !== null || this.to !== null;
      if (filtered) await this.expand(this.focusId, { record: false, quiet: true, draw: false });
      for (const id of restore) await this.expand(id, { draw: false });
      if (filtered || restore.length) this.fit();
      this.writeUrl();
      this.starting = false;
      this.updateState();
    }

    // --- URL state ------------------------------------------------------------------------

    readUrl() {
      const params = new URLSearchParams(window.location.search);
      if (params.has("kinds")) {
        const wanted = listParam(params, "kinds");
        this.kinds = new Set(KINDS.filter((kind) => wanted.includes(kind)));
      }
      this.from = yearParam(params.get("from"));
      this.to = yearParam(params.get("to"));
      this.form.querySelectorAll('input[name="kinds"]').forEach((input) => {
        input.checked = this.kinds.has(input.value);
      });
      this.form.elements.from.value = this.from === null ? "" : String(this.from);
      this.form.elements.to.value = this.to === null ? "" : String(this.to);
      return listParam(params, "expanded").filter((id) => id !== this.focusId);
    }

    filterParams() {
      const params = [];
      if (this.kinds.size < KINDS.length) {
        params.push(["kinds", KINDS.filter((kind) => this.kinds.has(kind)).join(",")]);
      }
      if (this.from !== null) params.push(["from", String(this.from)]);
      if (this.to !== null) params.push(["to", String(this.to)]);
      return params;
    }

    writeUrl() {
      const params = [["focus", this.focusSlug]];
      if (this.expanded.length) params.push(["expanded", this.expanded.join(",")]);
      const query = toQuery(params.concat(this.filterParams()));
      window.history.replaceState(null, "", window.location.pathname + "?" + query + window.location.hash);
    }

    // --- Drawing ----------------------------------------------------------------------------

    createGraph() {
      // Cytoscape puts its own <style> element in the head unless one with this id exists; the
      // CSP forbids inline styles, and site.css already positions the container.
      if (!document.getElementById("__________cytoscape_stylesheet")) {
        const marker = document.createElement("meta");
        marker.id = "__________cytoscape_stylesheet";
        document.head.appendChild(marker);
      }
      const cy = window.cytoscape({
        container: this.canvas,
        style: graphStyle(),
        minZoom: 0.05,
        maxZoom: 4,
        boxSelectionEnabled: false,
        selectionType: "single",
        hideEdgesOnViewport: true,
        // Cytoscape repaints the whole canvas on every change; at a phone's device pixel ratio
        // (2 to 3) that is 4 to 9 times the pixels, and most of the drawing's cost.
        pixelRatio: Math.min(window.devicePixelRatio || 1, MAX_PIXEL_RATIO),
      });
      cy.on("tap", "node", (event) => this.activate(event.target.id()));
      cy.on("mouseover", "node", (event) => {
        const node = event.target;
        this.preview(node.id());
        this.canvas.title = node.data("label") + (node.data("detail") ? " — " + node.data("detail") : "");
        this.canvas.classList.add("is-pointing");
      });
      cy.on("mouseover", "edge", (event) => {
        const edge = event.target;
        edge.addClass("is-hovered");
        this.showEdge(edge);
        this.canvas.title = edgeTitle(edge);
      });
      cy.on("mouseout", "node, edge", (event) => {
        event.target.removeClass("is-hovered");
        this.canvas.title = "";
        this.canvas.classList.remove("is-pointing");
        this.showNode(this.selectedId, false);
      });
      const scheme = window.matchMedia("(prefers-color-scheme: dark)");
      scheme.addEventListener("change", () => cy.style(graphStyle()));
      return cy;
    }

    // The server lays each neighbourhood out around its centre (graph/layout.py). The first one
    // is drawn as it comes; a later one's new nodes keep their places relative to each other
    // and move, as one group, out past everything drawn so far (see placeOutside).
    merge(data) {
      const added = this.addNodes(data);
      this.addEdges(data);
      return added;
    }

    addNodes(data) {
      const origin = this.cy.getElementById(data.node.id);
      const centre = origin.nonempty() ? origin.position() : { x: 0, y: 0 };
      const drawn = this.cy.nodes();
      const added = [];
      this.cy.batch(() => {
        [data.node].concat(data.nodes || []).forEach((node, index) => {
          if (!node || typeof node.id !== "string" || !KINDS.includes(node.kind)) return;
          const existing = this.cy.getElementById(node.id);
          if (existing.nonempty()) {
            // The expanded node's own description ("16 works") beats the one it was found with.
            if (index === 0 && node.detail) {
              existing.data("detail", node.detail);
              this.updateItem(node.id);
            }
            return;
          }
          this.cy.add({
            group: "nodes",
            data: {
              id: node.id,
              kind: node.kind,
              label: node.label || node.id,
              url: node.url || "",
              detail: node.detail || "",
              year: Number.isInteger(node.year) ? node.year : null,
              box: validBox(node.box),
            },
            position: { x: Number(node.x) || 0, y: Number(node.y) || 0 },
            classes: node.id === this.focusId ? "is-focus" : "",
          });
          added.push(node.id);
          this.addItem(node.id);
        });
      });
      if (drawn.nonempty() && added.length) {
        this.placeOutside(this.cy.collection(added.map((id) => this.cy.getElementById(id))), drawn, centre);
      }
      this.canvas.dataset.nodeCount = String(this.cy.nodes().length);
      return added;
    }

    addEdges(data) {
      this.cy.batch(() => {
        (data.edges || []).forEach((edge) => {
          if (!edge || !edge.source || !edge.target) return;
          if (this.cy.getElementById(edge.source).empty() || this.cy.getElementById(edge.target).empty()) return;
          const id = edgeId(edge);
          if (this.cy.getElementById(id).nonempty()) return;
          this.cy.add({
            group: "edges",
            data: {
              id: id,
              source: edge.source,
              target: edge.target,
              kind: edge.kind || "",
              label: edge.label || "",
              // Only a coauthorship's weight is a strength; other kinds count different things.
              width: edge.kind === "coauthor" ? 1 + Math.min(Number(edge.weight) || 0, 5) : 1.5,
            },
          });
        });
      });
    }

    // Moves the group away from the focus, along the line through the expanded node, until the
    // boxes of its nodes and labels clear those of every node already drawn (hidden ones too,
    // as a filter can show them again). Nothing is measured: the server sent each node's box.
    placeOutside(group, drawn, centre) {
      const outer = boxAround(drawn);
      const inner = boxAround(group);
      const length = Math.hypot(centre.x, centre.y);
      const direction = length > 1 ? { x: centre.x / length, y: centre.y / length } : { x: 0, y: 1 };
      let distance = 0;
      const clear = () =>
        inner.x1 + direction.x * distance >= outer.x2 ||
        inner.x2 + direction.x * distance <= outer.x1 ||
        inner.y1 + direction.y * distance >= outer.y2 ||
        inner.y2 + direction.y * distance <= outer.y1;
      while (!clear()) distance += 8;
      group.shift({ x: direction.x * distance, y: direction.y * distance });
    }

    // Shows every visible node and its whole label, drawn at most MAX_FIT_ZOOM times their
    // size. From the boxes the server sent: Cytoscape's own fit would measure every label.
    fit() {
      const visible = this.cy.nodes().not(".is-filtered");
      if (!visible.length) return;
      const box = boxAround(visible);
      const width = this.cy.width();
      const height = this.cy.height();
      const zoom = Math.min(
        MAX_FIT_ZOOM,
        (width - 2 * FIT_PADDING) / (box.x2 - box.x1),
        (height - 2 * FIT_PADDING) / (box.y2 - box.y1),
      );
      this.cy.viewport({
        zoom: zoom,
        pan: { x: width / 2 - (zoom * (box.x1 + box.x2)) / 2, y: height / 2 - (zoom * (box.y1 + box.y2)) / 2 },
      });
    }

    // --- Expanding ----------------------------------------------------------------------------

    // A click on the drawing and Enter on a list button do the same: select, expand once.
    activate(id) {
      this.select(id);
      if (!this.cy.getElementById(id).hasClass("is-expanded")) this.expand(id);
    }

    // Resolves to the number of nodes added (0 on failure, which is reported in the panel).
    // record: remember the node in the URL; quiet: no progress messages; draw: fit the view to it.
    expand(id, { record = true, quiet = false, draw = true } = {}) {
      if (this.pending.has(id)) return this.pending.get(id);
      const label = this.labelOf(id);
      if (!quiet) this.say("Loading the neighbourhood of " + label + "…");
      const request = this.fetchNode(id)
        .then((data) => {
          const added = this.merge(data);
          this.markExpanded(data.node.id);
          if (record && data.node.id !== this.focusId && !this.expanded.includes(data.node.id)) {
            this.expanded.push(data.node.id);
          }
          this.applyFilters();
          if (draw) this.fit();
          this.writeUrl();
          if (this.selectedId === data.node.id) this.showNode(data.node.id, false);
          if (!quiet) this.say(expansionSummary(data.node.label || label, added.length, data.truncated));
          return added.length;
        })
        .catch((error) => {
          const reason = error instanceof ExplorerError ? error.message : "something went wrong while drawing it.";
          this.say("Could not expand " + label + ": " + reason + " Try again, or open its page.", true);
          return 0;
        })
        .finally(() => {
          this.pending.delete(id);
          this.updateState();
        });
      this.pending.set(id, request);
      this.updateState();
      return request;
    }

    async fetchNode(id) {
      const url = this.api + "?" + toQuery([["id", id]].concat(this.filterParams()));
      let response;
      try {
        response = await fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" });
      } catch (error) {
        throw new ExplorerError("the server could not be reached.");
      }
      let body = null;
      try {
        body = await response.json();
      } catch (error) {
        body = null;
      }
      if (!response.ok) {
        const detail = body && typeof body.error === "string" ? body.error : "the server answered " + response.status + ".";
        throw new ExplorerError(detail);
      }
      if (!body || !body.node || !Array.isArray(body.nodes) || !Array.isArray(body.edges)) {
        throw new ExplorerError("the answer was not a graph the explorer can read.");
      }
      return body;
    }

    // Filters narrow what is drawn at once; the endpoint is then asked again for the expanded
    // nodes, because its per-kind limits pick different nodes inside a different range.
    scheduleRefresh() {
      window.clearTimeout(this.refreshTimer);
      this.refreshing = true;
      this.updateState();
      this.refreshTimer = window.setTimeout(async () => {
        let added = 0;
        if (this.kinds.size) {
          for (const id of [this.focusId].concat(this.expanded)) {
            added += await this.expand(id, { record: false, quiet: true, draw: false });
          }
        }
        if (added) {
          this.fit();
          this.say(this.filterSummary() + " " + added + " more loaded for these filters.");
        }
        this.refreshing = false;
        this.updateState();
      }, REFRESH_DELAY_MS);
    }

    markExpanded(id) {
      const node = this.cy.getElementById(id);
      if (node.empty()) return;
      node.addClass("is-expanded");
      this.updateItem(id);
    }

    // --- Filters --------------------------------------------------------------------------

    bindForm() {
      this.form.addEventListener("submit", (event) => {
        event.preventDefault();
        this.filtersChanged();
      });
      this.form.addEventListener("change", () => this.filtersChanged());
    }

    filtersChanged() {
      const kinds = new Set();
      this.form.querySelectorAll('input[name="kinds"]').forEach((input) => {
        if (input.checked) kinds.add(input.value);
      });
      const fromInput = this.form.elements.from;
      const toInput = this.form.elements.to;
      const from = yearParam(fromInput.value);
      const to = yearParam(toInput.value);
      const invalid = (fromInput.value.trim() && from === null) || (toInput.value.trim() && to === null);
      const reversed = from !== null && to !== null && from > to;
      [fromInput, toInput].forEach((input) => {
        if (invalid || reversed) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      });
      if (invalid || reversed) {
        this.say(reversed ? "The first year is after the last year." : "Years are written with four digits, like 2020.", true);
        return;
      }
      const changed = from !== this.from || to !== this.to || !sameSet(kinds, this.kinds);
      this.kinds = kinds;
      this.from = from;
      this.to = to;
      this.applyFilters();
      this.fit();
      this.writeUrl();
      this.say(this.filterSummary());
      if (changed) this.scheduleRefresh();
    }

    visible(data) {
      if (data.id === this.focusId) return true;
      if (!this.kinds.has(data.kind)) return false;
      if (data.year !== null && data.year !== undefined) {
        if (this.from !== null && data.year < this.from) return false;
        if (this.to !== null && data.year > this.to) return false;
      }
      return true;
    }

    applyFilters() {
      let shown = 0;
      this.cy.batch(() => {
        this.cy.nodes().forEach((node) => {
          const visible = this.visible(node.data());
          node.toggleClass("is-filtered", !visible);
          const item = this.items.get(node.id());
          if (item) item.li.hidden = !visible;
          if (visible) shown += 1;
        });
      });
      this.canvas.dataset.visibleCount = String(shown);
      this.updateCounts();
    }

    filterSummary() {
      const kinds = KINDS.filter((kind) => this.kinds.has(kind)).map((kind) => this.groups[kind].heading);
      let years = "";
      if (this.from !== null && this.to !== null) years = ", " + this.from + "–" + this.to;
      else if (this.from !== null) years = ", from " + this.from;
      else if (this.to !== null) years = ", up to " + this.to;
      const shown = kinds.length ? kinds.join(", ") : "only the focus";
      return "Showing " + shown + years + ": " + this.canvas.dataset.visibleCount + " nodes.";
    }

    // --- Side panel -------------------------------------------------------------------------

    select(id) {
      const node = this.cy.getElementById(id);
      if (node.empty()) return;
      this.selectedId = id;
      this.cy.elements(":selected").unselect();
      node.select();
      this.items.forEach((item, itemId) => item.li.classList.toggle("is-selected", itemId === id));
      this.showNode(id, false);
    }

    preview(id) {
      const node = this.cy.getElementById(id);
      if (node.empty()) return;
      node.addClass("is-hovered");
      this.showNode(id, true);
    }

    unpreview(id) {
      this.cy.getElementById(id).removeClass("is-hovered");
      this.showNode(this.selectedId, false);
    }

    showNode(id, previewing) {
      const node = this.cy.getElementById(id);
      if (node.empty()) return;
      const data = node.data();
      const expanded = node.hasClass("is-expanded");
      this.panel.kicker.textContent = previewing ? "Pointing at" : "Selected";
      this.panel.title.textContent = data.label;
      this.setKind(this.panel.kind, data.kind, expanded ? "neighbourhood shown" : "select to expand");
      this.panel.detail.textContent = data.detail;
      this.panel.detail.hidden = !data.detail;
      this.panel.open.hidden = !data.url;
      if (data.url) {
        this.panel.open.href = data.url;
        this.panel.open.replaceChildren(document.createTextNode("Open page"), hiddenText(" for " + data.label));
      }
      const edges = node.connectedEdges().filter((edge) => !edge.source().hasClass("is-filtered") && !edge.target().hasClass("is-filtered"));
      const rows = [];
      edges.slice(0, PANEL_EDGE_LIMIT).forEach((edge) => {
        const other = edge.source().id() === id ? edge.target() : edge.source();
        const li = document.createElement("li");
        li.appendChild(this.swatch(other.data("kind")));
        const name = document.createElement("span");
        name.className = "explorer-links__name";
        name.textContent = other.data("label");
        const why = document.createElement("span");
        why.className = "explorer-links__why";
        why.textContent = edge.data("label") || EDGE_NAMES[edge.data("kind")] || "linked";
        li.append(name, why);
        rows.push(li);
      });
      if (edges.length > PANEL_EDGE_LIMIT) {
        const more = document.createElement("li");
        more.className = "explorer-links__more";
        more.textContent = "and " + (edges.length - PANEL_EDGE_LIMIT) + " more links in view";
        rows.push(more);
      }
      this.panel.edges.replaceChildren(...rows);
      this.panel.links.hidden = rows.length === 0;
    }

    showEdge(edge) {
      const kind = edge.data("kind");
      this.panel.kicker.textContent = "Link";
      this.panel.title.textContent = edge.source().data("label") + " — " + edge.target().data("label");
      this.panel.kind.replaceChildren(document.createTextNode(EDGE_NAMES[kind] || "Link"));
      this.panel.detail.textContent = edge.data("label");
      this.panel.detail.hidden = !edge.data("label");
      this.panel.open.hidden = true;
      this.panel.links.hidden = true;
    }

    setKind(element, kind, state) {
      const name = document.createElement("span");
      name.textContent = KIND_NAMES[kind] + " · " + state;
      element.replaceChildren(this.swatch(kind), document.createTextNode(" "), name);
    }

    // The legend's shapes, drawn once by the template, are reused wherever a kind is named.
    swatch(kind) {
      const source = this.groups[kind] && this.groups[kind].element.querySelector("svg.swatch");
      return source ? source.cloneNode(true) : document.createElement("span");
    }

    say(text, isError) {
      this.message.textContent = text;
      this.message.classList.toggle("explorer-message--error", Boolean(isError));
    }

    // data-state="idle" means nothing is queued or in flight: what tests and scripts wait for.
    updateState() {
      const busy = this.starting || this.refreshing || this.pending.size > 0;
      this.root.dataset.state = busy ? "loading" : "idle";
      this.canvas.setAttribute("aria-busy", String(busy));
    }

    labelOf(id) {
      const node = this.cy.getElementById(id);
      return node.nonempty() ? node.data("label") : id;
    }

    // --- Nodes in view (the list alternative) ---------------------------------------------

    groupCount(section) {
      const heading = section.querySelector("h3");
      const count = document.createElement("span");
      count.className = "explorer-group__count";
      heading.appendChild(count);
      return count;
    }

    prepareList() {
      document.getElementById("explorer-list-hint").textContent =
        "Press a node's name to expand its neighbourhood; focus it to see why it is linked.";
      KINDS.forEach((kind) => {
        const group = this.groups[kind];
        group.heading = group.element.querySelector("h3").textContent.trim();
        const none = document.createElement("li");
        none.className = "explorer-nodes__none";
        none.textContent = "None in view";
        group.list.replaceChildren(none);
        group.none = none;
      });
    }

    addItem(id) {
      const node = this.cy.getElementById(id);
      const data = node.data();
      const group = this.groups[data.kind];
      const li = document.createElement("li");
      li.dataset.id = id;
      li.dataset.kind = data.kind;
      if (data.year !== null) li.dataset.year = String(data.year);
      const button = document.createElement("button");
      button.type = "button";
      button.className = "explorer-node";
      button.textContent = data.label;
      const meta = document.createElement("span");
      meta.className = "explorer-nodes__why";
      meta.id = "explorer-item-" + this.items.size;
      button.setAttribute("aria-describedby", meta.id);
      const link = document.createElement("a");
      link.className = "explorer-nodes__open";
      link.append(document.createTextNode("Open page"), hiddenText(" for " + data.label));
      li.append(button, meta, link);
      button.addEventListener("click", () => this.activate(id));
      button.addEventListener("focus", () => this.preview(id));
      button.addEventListener("blur", () => this.unpreview(id));
      button.addEventListener("mouseenter", () => this.preview(id));
      button.addEventListener("mouseleave", () => this.unpreview(id));
      group.list.appendChild(li);
      this.items.set(id, { li: li, button: button, meta: meta, link: link });
      this.updateItem(id);
    }

    updateItem(id) {
      const item = this.items.get(id);
      const node = this.cy.getElementById(id);
      if (!item || node.empty()) return;
      const data = node.data();
      const expanded = node.hasClass("is-expanded");
      const parts = [];
      if (data.detail) parts.push(data.detail);
      if (expanded) parts.push("expanded");
      item.meta.textContent = parts.join(" · ");
      item.button.title = data.detail ? data.label + " — " + data.detail : data.label;
      item.li.dataset.expanded = String(expanded);
      item.link.hidden = !data.url;
      if (data.url) item.link.href = data.url;
    }

    updateCounts() {
      KINDS.forEach((kind) => {
        const group = this.groups[kind];
        const shown = group.list.querySelectorAll("li[data-id]:not([hidden])").length;
        group.count.textContent = "(" + shown + ")";
        group.none.hidden = shown > 0;
      });
    }
  }

  // --- Helpers ------------------------------------------------------------------------------

  function graphStyle() {
    const css = window.getComputedStyle(document.documentElement);
    const value = (name, fallback) => css.getPropertyValue(name).trim() || fallback;
    const text = value("--text", "#1d232b");
    const background = value("--bg", "#fbfaf7");
    const line = value("--graph-edge", "#9aa4ae");
    const highlight = value("--focus", "#b35c00");
    const colour = {
      person: value("--kind-person", "#1f5fae"),
      paper: value("--kind-paper", "#17683a"),
      topic: value("--kind-topic", "#8a4f00"),
      institution: value("--kind-institution", "#6b3fa0"),
    };
    const font = value("--font", "system-ui, sans-serif");
    return [
      {
        selector: "node",
        style: {
          width: 22,
          height: 22,
          label: "data(label)",
          "font-family": font,
          "font-size": 10,
          color: text,
          "text-valign": "bottom",
          "text-margin-y": 4,
          "text-wrap": "ellipsis",
          "text-max-width": 120,
          "text-outline-color": background,
          "text-outline-width": 2,
          "min-zoomed-font-size": 7,
          "border-width": 1.5,
          "border-color": background,
        },
      },
      { selector: 'node[kind = "person"]', style: { shape: "ellipse", "background-color": colour.person } },
      {
        selector: 'node[kind = "paper"]',
        style: { shape: "rectangle", "background-color": colour.paper, width: 20, height: 16, label: "" },
      },
      { selector: 'node[kind = "topic"]', style: { shape: "diamond", "background-color": colour.topic, width: 24, height: 24 } },
      { selector: 'node[kind = "institution"]', style: { shape: "hexagon", "background-color": colour.institution, width: 24, height: 22 } },
      { selector: "node.is-expanded", style: { "border-width": 3, "border-color": text } },
      {
        selector: "node.is-focus",
        style: {
          width: 46,
          height: 46,
          "font-size": 13,
          "font-weight": "bold",
          "text-margin-y": 6,
          "text-max-width": 200,
          "z-index": 10,
        },
      },
      { selector: 'node[kind = "paper"]:selected, node[kind = "paper"].is-hovered', style: { label: "data(label)" } },
      {
        selector: "node:selected",
        style: { "border-width": 4, "border-color": highlight, "z-index": 20, "font-weight": "bold" },
      },
      {
        selector: "node.is-hovered",
        style: { "underlay-color": highlight, "underlay-opacity": 0.35, "underlay-padding": 6, "z-index": 30 },
      },
      {
        selector: "edge",
        style: { width: "data(width)", "line-color": line, "curve-style": "straight", opacity: 0.75 },
      },
      { selector: 'edge[kind = "coauthor"]', style: { "line-color": colour.person, opacity: 0.45 } },
      { selector: 'edge[kind = "about"]', style: { "line-style": "dashed" } },
      { selector: 'edge[kind = "affiliated"]', style: { "line-style": "dotted", width: 2 } },
      { selector: "edge.is-hovered, edge:selected", style: { "line-color": highlight, opacity: 1, width: 4 } },
      { selector: ".is-filtered", style: { display: "none" } },
    ];
  }

  // The box the nodes of a collection and their labels take, in the drawing's coordinates.
  function boxAround(nodes) {
    const box = { x1: Infinity, y1: Infinity, x2: -Infinity, y2: -Infinity };
    nodes.forEach((node) => {
      const { x, y } = node.position();
      const [left, top, right, bottom] = node.data("box");
      box.x1 = Math.min(box.x1, x + left);
      box.y1 = Math.min(box.y1, y + top);
      box.x2 = Math.max(box.x2, x + right);
      box.y2 = Math.max(box.y2, y + bottom);
    });
    return box;
  }

  function validBox(box) {
    const numbers = Array.isArray(box) && box.length === 4 && box.every(Number.isFinite);
    return numbers && box[0] < box[2] && box[1] < box[3] ? box : DEFAULT_BOX;
  }

  // Coauthorship runs both ways, so the pair is stored once whichever end was expanded.
  function edgeId(edge) {
    const ends = [edge.source, edge.target];
    if (edge.kind === "coauthor") ends.sort();
    return "edge|" + (edge.kind || "") + "|" + ends.join("|");
  }

  function edgeTitle(edge) {
    const ends = edge.source().data("label") + " — " + edge.target().data("label");
    return edge.data("label") ? ends + ": " + edge.data("label") : ends;
  }

  function expansionSummary(label, added, truncated) {
    const text = [added ? "Added " + added + " node" + (added === 1 ? "" : "s") + " around " + label + "." : "Nothing new around " + label + "."];
    const names = { person: "people", paper: "papers", topic: "topics", institution: "institutions" };
    const skipped = Object.keys(truncated || {})
      .filter((kind) => names[kind] && truncated[kind] > 0)
      .map((kind) => truncated[kind] + " more " + names[kind]);
    if (skipped.length) text.push(skipped.join(", ") + " not shown.");
    return text.join(" ");
  }

  function nextTask() {
    return new Promise((resolve) => window.setTimeout(resolve, 0));
  }

  // After the next frame has been drawn.
  function nextFrame() {
    return new Promise((resolve) => window.requestAnimationFrame(() => window.setTimeout(resolve, 0)));
  }

  function hiddenText(text) {
    const span = document.createElement("span");
    span.className = "visually-hidden";
    span.textContent = text;
    return span;
  }

  function listParam(params, name) {
    return params
      .getAll(name)
      .join(",")
      .split(",")
      .map((part) => part.trim())
      .filter(Boolean);
  }

  function yearParam(value) {
    const text = (value || "").trim();
    if (!/^\d{4}$/.test(text)) return null;
    return Number(text);
  }

  // Colons and commas are legal in a query string; leaving them readable keeps shared URLs short.
  function toQuery(pairs) {
    return pairs
      .map(([name, value]) => name + "=" + encodeURIComponent(value).replace(/%3A/gi, ":").replace(/%2C/gi, ","))
      .join("&");
  }

  function sameSet(a, b) {
    return a.size === b.size && [...a].every((item) => b.has(item));
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();

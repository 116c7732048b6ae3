/* The week board and My day with JavaScript on: drag and drop (SortableJS), and a
   keyboard way to move a board card ("Move", then "Place here"). Without this file every
   move still works through the pages' plain forms. No inline scripts (CSP). */
(function () {
  "use strict";

  function csrfHeaders() {
    var raw = document.body.getAttribute("hx-headers");
    try { return raw ? JSON.parse(raw) : {}; } catch (e) { return {}; }
  }

  // --- The week board ------------------------------------------------------------------
  var picked = null;

  function board() { return document.querySelector("[data-board]"); }

  function move(card, cell) {
    var root = board();
    if (!root || !window.htmx) return;
    var week = new URLSearchParams(root.getAttribute("data-week-query") || "");
    var values = { order: card.getAttribute("data-order"), seen: card.getAttribute("data-version"),
                   person: cell.getAttribute("data-person") || "", day: cell.getAttribute("data-day") || "",
                   how: picked ? "board_keys" : "board_drag" };
    week.forEach(function (value, key) { values[key] = value; });
    picked = null;
    window.htmx.ajax("POST", root.getAttribute("data-move-url"),
      { target: "#board", swap: "outerHTML", values: values, headers: csrfHeaders() });
  }

  function clearPlaces() {
    document.querySelectorAll(".board-place").forEach(function (b) { b.remove(); });
    document.querySelectorAll(".board-card--picked").forEach(function (c) { c.classList.remove("board-card--picked"); });
  }

  function pick(card) {
    var root = board();
    clearPlaces();
    picked = card;
    card.classList.add("board-card--picked");
    var label = root.getAttribute("data-msg-place");
    var first = null;
    root.querySelectorAll("[data-cell]").forEach(function (cell) {
      if (cell === card.parentElement) return;
      var button = document.createElement("button");
      button.type = "button";
      button.className = "btn btn-secondary btn-small board-place";
      button.textContent = label;
      var where = cell.getAttribute("aria-label") || "";
      button.setAttribute("aria-label", label + ": " + where);
      button.addEventListener("click", function () { move(card, cell); });
      cell.parentElement.insertBefore(button, cell);
      if (!first) first = button;
    });
    var note = document.getElementById("board-note");
    if (note) note.textContent = root.getAttribute("data-msg-move") + ": " + (card.querySelector(".board-card__title") || card).textContent.trim();
    if (first) first.focus();
  }

  function setUpBoard() {
    var root = board();
    if (!root) return;
    if (window.Sortable) {
      root.querySelectorAll("[data-cell]:not([data-sortable])").forEach(function (cell) {
        cell.setAttribute("data-sortable", "");
        window.Sortable.create(cell, {
          group: "board", sort: false, animation: 120, draggable: ".board-card",
          filter: "a, button", preventOnFilter: false, ghostClass: "board-dragging",
          onAdd: function (event) { move(event.item, event.to); }
        });
      });
    }
  }

  document.addEventListener("click", function (event) {
    var link = event.target instanceof Element ? event.target.closest("[data-move]") : null;
    if (!link || !board()) return;
    event.preventDefault();
    pick(link.closest(".board-card"));
  });
  document.addEventListener("keydown", function (event) {
    if (event.key === "Escape" && picked) {
      var card = picked;
      picked = null;
      clearPlaces();
      var link = card.querySelector("[data-move]");
      if (link) link.focus();
    }
  });

  // --- My day: drag to reorder ---------------------------------------------------------
  function setUpMyDay() {
    var list = document.querySelector("[data-my-day]:not([data-sortable])");
    if (!list || !window.Sortable) return;
    list.setAttribute("data-sortable", "");
    window.Sortable.create(list, {
      handle: ".my-stop__handle", animation: 120,
      onEnd: function () {
        var ids = Array.prototype.map.call(list.querySelectorAll("[data-order]"), function (li) {
          return li.getAttribute("data-order");
        });
        if (!window.htmx) return;
        window.htmx.ajax("POST", list.getAttribute("data-reorder-url"),
          { target: "#my-day-today", swap: "outerHTML", values: { order: ids }, headers: csrfHeaders() });
      }
    });
  }

  function setUp() { setUpBoard(); setUpMyDay(); }
  document.addEventListener("DOMContentLoaded", setUp);
  document.addEventListener("htmx:afterSettle", setUp);
})();

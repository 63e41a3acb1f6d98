// Behaviour every page may use, attached from here because the Content-Security-Policy allows no inline
// handlers. Each part is an enhancement: without JavaScript the page still works and still fits a phone.
(function () {
  "use strict";

  // A form with data-confirm="question" asks before it is sent.
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });

  function each(selector, root, fn) {
    Array.prototype.forEach.call((root || document).querySelectorAll(selector), fn);
  }

  // Data tables: label every cell with its column's header, so that on a narrow screen (site.css,
  // table.stackable) each row reads as a card of "header: value" lines. The ARIA roles keep the table a table
  // for screen readers once CSS displays its parts as blocks. A table opts out with data-no-stack.
  function stackTables(root) {
    each("main table", root, function (table) {
      if (table.classList.contains("stackable") || table.hasAttribute("data-no-stack")) return;
      if (!table.tHead || !table.tHead.rows.length || !table.tBodies.length) return;
      var headerRow = table.tHead.rows[table.tHead.rows.length - 1];
      var labels = [];
      Array.prototype.forEach.call(headerRow.cells, function (th) {
        var hidden = th.querySelector(".visually-hidden");
        // A header only screen readers hear (e.g. "Actions" over buttons) labels nothing on screen either.
        var text = hidden && hidden.textContent.trim() === th.textContent.trim() ? "" : th.textContent.trim();
        for (var i = 0; i < (th.colSpan || 1); i++) labels.push(text);
      });
      table.setAttribute("role", "table");
      table.tHead.setAttribute("role", "rowgroup");
      Array.prototype.forEach.call(table.rows, function (row) { row.setAttribute("role", "row"); });
      Array.prototype.forEach.call(headerRow.cells, function (th) { th.setAttribute("role", "columnheader"); });
      Array.prototype.forEach.call(table.tBodies, function (body) {
        body.setAttribute("role", "rowgroup");
        Array.prototype.forEach.call(body.rows, function (row) {
          var column = 0;
          Array.prototype.forEach.call(row.cells, function (cell) {
            cell.setAttribute("role", cell.tagName === "TH" ? "rowheader" : "cell");
            var label = labels[column];
            if (label && cell.colSpan < labels.length && !cell.hasAttribute("data-label")) {
              cell.setAttribute("data-label", label);
            }
            column += cell.colSpan || 1;
          });
        });
      });
      table.classList.add("stackable");
    });
  }

  // A table box that scrolls sideways can be focused and scrolled with the keyboard, and is named by its table.
  function markScrollers() {
    each(".table-wrap", document, function (box) {
      var scrolls = box.scrollWidth > box.clientWidth + 1;
      box.classList.toggle("scrolls", scrolls);
      if (scrolls && !box.hasAttribute("tabindex")) {
        var caption = box.querySelector("caption");
        box.setAttribute("tabindex", "0");
        box.setAttribute("role", "region");
        box.setAttribute("aria-label", (caption ? caption.textContent.trim() + " — " : "") + "scrolls sideways");
      } else if (!scrolls && box.getAttribute("role") === "region") {
        box.removeAttribute("tabindex");
        box.removeAttribute("role");
        box.removeAttribute("aria-label");
      }
    });
  }

  // The site's links fold behind a "Menu" button on a phone (site.css shows the button there only); the account
  // links (who is signed in, Sign out) stay in view.
  function foldNavigation() {
    var nav = document.querySelector(".site-header .nav");
    if (!nav || nav.querySelector(".menu-toggle")) return;
    var links = nav.querySelector(":scope > ul:not(.account)");
    if (!links) return;
    var button = document.createElement("button");
    button.type = "button";
    button.className = "menu-toggle secondary small";
    button.textContent = "Menu";
    links.id = links.id || "site-links";
    links.classList.add("site-links");
    button.setAttribute("aria-controls", links.id);
    button.setAttribute("aria-expanded", "false");
    button.addEventListener("click", function () {
      var open = nav.classList.toggle("folded") === false;
      button.setAttribute("aria-expanded", open ? "true" : "false");
    });
    nav.insertBefore(button, links);
    nav.classList.add("foldable", "folded");
  }

  function enhance() {
    stackTables(document);
    foldNavigation();
    markScrollers();
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", enhance);
  else enhance();
  window.addEventListener("resize", markScrollers);
  // Pages that add rows later (the verifier's report) call this again.
  window.credstack = window.credstack || {};
  window.credstack.enhance = enhance;
})();

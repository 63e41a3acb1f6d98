// The verifier page without JavaScript is a plain multipart form; this adds drag-and-drop of a file,
// a print button, opens "How we checked" from its link, and moves focus to the verdict so that screen readers announce it first.
(function () {
  "use strict";
  var heading = document.getElementById("verdict-heading");
  if (heading) { heading.focus(); }

  var print = document.querySelector("[data-print]");
  if (print && window.print) {
    print.hidden = false;
    print.addEventListener("click", function () {
      // what is folded away would not be printed: a printed verification shows how it was checked
      document.querySelectorAll(".verifier details").forEach(function (d) { d.open = true; });
      window.print();
    });
  }

  // "How we checked" in the verdict opens the disclosure it points to
  document.querySelectorAll("[data-open-details]").forEach(function (link) {
    link.addEventListener("click", function () {
      var target = document.getElementById(link.getAttribute("href").slice(1));
      if (target && target.tagName === "DETAILS") { target.open = true; }
    });
  });

  var form = document.querySelector("[data-verify-form]");
  var zone = document.querySelector("[data-dropzone]");
  if (!form || !zone) { return; }
  var input = zone.querySelector("input[type=file]");
  var status = zone.querySelector("[data-drop-status]");
  var hint = zone.querySelector("[data-drop-hint]");
  if (hint) { hint.hidden = false; }

  function stop(event) { event.preventDefault(); event.stopPropagation(); }
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) { stop(event); zone.classList.add("dragging"); });
  });
  ["dragleave", "dragend"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("dragging"); });
  });
  zone.addEventListener("drop", function (event) {
    stop(event);
    zone.classList.remove("dragging");
    var files = event.dataTransfer && event.dataTransfer.files;
    if (!files || !files.length) { return; }
    input.files = files;
    // one credential at a time: a dropped file replaces pasted text and a link
    form.querySelector("#f-text").value = "";
    form.querySelector("#f-url").value = "";
    if (status) { status.textContent = "Verifying " + files[0].name + "…"; }
    form.submit();
  });
})();

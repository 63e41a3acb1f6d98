// Badge designer (micro-credential editor): redraws the preview as the issuer changes the shape, colours,
// icon or text. The server draws it (the same renderer as the real artwork), so the preview is what will be
// published. Without JavaScript the "Preview the badge" button does the same with a page load.
(function () {
  "use strict";
  var designer = document.getElementById("badge-designer");
  if (!designer || !window.fetch || !window.URLSearchParams) return;
  var preview = document.getElementById("design-preview");
  var status = document.getElementById("design-status");
  var button = document.getElementById("design-preview-button");
  var nameField = document.getElementById("f-name");
  var url = designer.getAttribute("data-preview-url");
  var timer = null;
  var latest = 0;
  if (button) button.hidden = true;

  function query() {
    var params = new URLSearchParams();
    designer.querySelectorAll("[name^='design.']").forEach(function (field) {
      if ((field.type === "radio" || field.type === "checkbox") && !field.checked) return;
      params.append(field.name, field.value);
    });
    if (nameField) params.append("name", nameField.value);
    return params.toString();
  }

  function redraw() {
    var ticket = ++latest;
    fetch(url + "?" + query(), { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (answer) {
        if (!answer || ticket !== latest) return;
        preview.src = answer.src;
        var problems = Object.keys(answer.problems || {}).map(function (key) { return answer.problems[key]; });
        status.textContent = problems.length
          ? problems.join(" ")
          : "Text contrast " + answer.contrast + ":1";
        status.classList.toggle("field-error", problems.length > 0);
      })
      .catch(function () { /* the preview stays as it was; saving still works */ });
  }

  function later() {
    window.clearTimeout(timer);
    timer = window.setTimeout(redraw, 150);
  }
  designer.addEventListener("input", later);
  designer.addEventListener("change", later);
  if (nameField) nameField.addEventListener("input", later);
})();

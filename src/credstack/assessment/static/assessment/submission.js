// Submission form: live word counts and autosave of the typed answers to the server, so a closed
// browser loses nothing. Without JavaScript the form still works: "Save draft" posts everything.
(function () {
  "use strict";
  var form = document.querySelector("form[data-autosave]");
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
  if (!form) return;

  function words(text) {
    var trimmed = text.trim();
    return trimmed ? trimmed.split(/\s+/).length : 0;
  }
  function updateCount(area) {
    var limit = parseInt(area.getAttribute("data-word-limit"), 10);
    var out = document.getElementById(area.id + "-count");
    if (!out || !limit) return;
    var n = words(area.value);
    out.textContent = n + " / " + limit + " words" + (n > limit ? " — " + (n - limit) + " over the limit" : "");
    out.classList.toggle("over", n > limit);
  }
  var areas = form.querySelectorAll("textarea[data-word-limit]");
  Array.prototype.forEach.call(areas, function (area) {
    area.addEventListener("input", function () { updateCount(area); });
  });

  var status = document.getElementById("autosave-status");
  var timer = null;
  var dirty = false;
  var csrf = form.querySelector("input[name=csrfmiddlewaretoken]").value;
  function save() {
    timer = null;
    if (!dirty) return;
    dirty = false;
    var data = new FormData();
    Array.prototype.forEach.call(form.querySelectorAll("textarea[name^='overview.'], textarea[name=reflection]"),
      function (el) { data.append(el.name, el.value); });
    status.textContent = "Saving draft…";
    fetch(form.getAttribute("data-autosave"), {
      method: "POST", body: data, credentials: "same-origin",
      headers: {"X-CSRFToken": csrf, "Accept": "application/json"}
    }).then(function (response) {
      return response.json().then(function (body) { return {ok: response.ok, body: body}; });
    }).then(function (result) {
      if (result.ok && result.body.saved) {
        var at = new Date(result.body.saved_at);
        status.textContent = "Draft saved at " + at.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit"}) + ".";
      } else {
        status.textContent = "Not saved: " + Object.values(result.body.errors || {}).join(" ");
      }
    }).catch(function () {
      dirty = true;
      status.textContent = "Could not reach the server; your text is still here. Retrying…";
      timer = setTimeout(save, 5000);
    });
  }
  form.addEventListener("input", function (event) {
    if (!event.target.matches("textarea[name^='overview.'], textarea[name=reflection]")) return;
    dirty = true;
    if (timer) clearTimeout(timer);
    timer = setTimeout(save, 1200);
  });
  form.addEventListener("submit", function () {
    // The form post carries the text itself; no autosave may race it.
    dirty = false;
    if (timer) clearTimeout(timer);
  });
  window.addEventListener("pagehide", function () {
    if (!dirty) return;
    var data = new FormData();
    data.append("csrfmiddlewaretoken", csrf);
    Array.prototype.forEach.call(form.querySelectorAll("textarea[name^='overview.'], textarea[name=reflection]"),
      function (el) { data.append(el.name, el.value); });
    navigator.sendBeacon(form.getAttribute("data-autosave"), data);
  });
})();

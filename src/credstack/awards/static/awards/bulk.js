// Live progress of a bulk award: polls the progress endpoint while the job is queued or running.
(function () {
  "use strict";
  var box = document.querySelector(".bulk-progress");
  if (!box) { return; }
  var url = box.getAttribute("data-progress-url");
  var active = { queued: true, running: true };
  if (!active[box.getAttribute("data-status")]) { return; }
  var bar = document.getElementById("bulk-bar");
  function show(data) {
    Object.keys(data).forEach(function (key) {
      var el = box.querySelector('[data-field="' + key + '"]');
      if (el) { el.textContent = data[key]; }
    });
    bar.value = data.percent;
    bar.textContent = data.percent + "%";
    return active[data.status];
  }
  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        if (show(data)) { window.setTimeout(poll, 1000); } else { window.location.reload(); }
      })
      .catch(function () { window.setTimeout(poll, 3000); });
  }
  window.setTimeout(poll, 500);
})();

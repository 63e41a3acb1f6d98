// Scoring screen: say, as levels are chosen, what the rubric's passing rule makes of them.
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) summary.focus();
  var form = document.querySelector("form.scoring");
  if (!form) return;
  var text = document.getElementById("verdict-text");
  var box = document.getElementById("f-decision");
  function update() {
    var missing = [], short = [];
    Array.prototype.forEach.call(form.querySelectorAll("fieldset[data-criterion]"), function (fs) {
      var chosen = fs.querySelector("input[type=radio]:checked");
      var name = fs.getAttribute("data-name");
      if (!chosen) missing.push(name);
      else if (parseInt(chosen.getAttribute("data-index"), 10) < parseInt(fs.getAttribute("data-passing-index"), 10))
        short.push(name);
    });
    var passes = !missing.length && !short.length;
    box.classList.toggle("ok", passes);
    if (passes) text.textContent = "Every criterion is at its passing level: the rubric says this passes.";
    else text.textContent = (short.length ? "Below the passing level: " + short.join(", ") + ". Return it with feedback on each. " : "") +
      (missing.length ? "No level chosen yet: " + missing.join(", ") + "." : "");
    form.querySelector("[data-decision=pass]").setAttribute("aria-disabled", passes ? "false" : "true");
    form.querySelector("[data-decision=return]").setAttribute("aria-disabled", (!missing.length && !short.length) ? "true" : "false");
  }
  form.addEventListener("change", update);
  update();
})();

// The transcript's Print button (a script file: the Content-Security-Policy allows no inline handlers).
(function () {
  "use strict";
  var button = document.querySelector("[data-print]");
  if (button) button.addEventListener("click", function () { window.print(); });
})();

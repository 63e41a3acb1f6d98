// Behaviour every page may use, attached from here because the Content-Security-Policy allows no inline
// handlers: a form with data-confirm="question" asks before it is sent.
(function () {
  "use strict";
  document.addEventListener("submit", function (event) {
    var form = event.target;
    var question = form && form.getAttribute && form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { event.preventDefault(); }
  });
})();

// Printing opens every folded <details> (a print style sheet cannot), and folds again those it opened.
(function () {
  "use strict";

  var opened = [];

  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details:not([open])").forEach(function (details) {
      details.open = true;
      opened.push(details);
    });
  });

  window.addEventListener("afterprint", function () {
    opened.forEach(function (details) { details.open = false; });
    opened = [];
  });
})();

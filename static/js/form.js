// Respondent form: progressive enhancement only. Without JavaScript the
// form works the same; this adds a live answered count, guards against a
// double submit and warns before leaving a page with unsaved choices.
(function () {
  "use strict";

  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
  }

  var form = document.getElementById("section-form");
  if (!form) {
    return;
  }

  var progress = document.querySelector(".hp-progress");
  var progressText = document.getElementById("progress-text");
  var groups = Array.prototype.slice.call(form.querySelectorAll("fieldset.hp-q"));

  function answeredCount() {
    return groups.filter(function (g) {
      return g.querySelector("input[type=radio]:checked");
    }).length;
  }

  var initialOnPage = answeredCount();
  var initialTotal = progress ? Number(progress.value) : 0;
  var currentStep = document.querySelector(".hp-step-current .hp-step-answered");
  var initialStep = currentStep ? Number(currentStep.textContent) : 0;
  var dirty = false;

  form.addEventListener("change", function () {
    dirty = true;
    if (!progress || !progressText) {
      return;
    }
    var answered = initialTotal + answeredCount() - initialOnPage;
    progress.value = answered;
    progress.textContent = answered + " of " + progress.max;
    var count = progressText.querySelector(".hp-answered");
    if (count) {
      count.textContent = String(answered);
    }
    var step = document.querySelector(".hp-step-current .hp-step-answered");
    if (step) {
      step.textContent = String(initialStep + answeredCount() - initialOnPage);
    }
  });

  var submitting = false;
  form.addEventListener("submit", function (event) {
    // Ignore a second submit (double click); the first one carries the button's value.
    if (submitting) {
      event.preventDefault();
      return;
    }
    submitting = true;
  });

  window.addEventListener("beforeunload", function (event) {
    if (dirty && !submitting) {
      event.preventDefault();
      event.returnValue = "";
    }
  });
})();

// The assessment form (owners' page and admin): the survey-length estimate beside "Benefits
// per respondent", kept up to date as the number changes. Without
// JavaScript the page shows the estimate for the saved value. The formulas
// are those of assessments/length.py (LengthEstimate.sentence): keep the two
// the same.
(function () {
  "use strict";

  // The admin loads its scripts in <head>; the owners' page with "defer".
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }

  function start() {
    var box = document.getElementById("length-estimate");
    if (!box) {
      return;
    }
    var input = document.getElementById(box.getAttribute("data-for"));
    var text = box.querySelector(".length-estimate-text");
    if (!input || !text) {
      return;
    }

    function num(name) {
      return Number(box.getAttribute("data-" + name)) || 0;
    }

    var SCOPES = ["internal", "external"];
    var AUDIENCES = ["both", "internal", "external"];
    var sizes = {};
    SCOPES.forEach(function (scope) {
      sizes[scope] = { benefits: num(scope + "-benefits"), questions: num(scope + "-questions") };
    });
    var invited = {};
    AUDIENCES.forEach(function (audience) {
      invited[audience] = num("invited-" + audience);
    });
    var seconds = num("seconds-per-question");

    function scopesOf(audience) {
      return audience === "both" ? SCOPES : [audience];
    }

    function minutes(questions) {
      return Math.max(1, Math.ceil((questions * seconds) / 60));
    }

    function asked(m, audience) {
      var benefits = 0;
      var questions = 0;
      scopesOf(audience).forEach(function (scope) {
        benefits += sizes[scope].benefits;
        questions += sizes[scope].questions;
      });
      var k = m === null ? benefits : Math.min(m, benefits);
      var q = benefits ? Math.round((questions * k) / benefits) : 0;
      return { benefits: k, questions: q, minutes: minutes(q) };
    }

    function share(m, audience, scope) {
      var scopes = scopesOf(audience);
      if (scopes.indexOf(scope) < 0) {
        return 0;
      }
      var total = 0;
      scopes.forEach(function (s) {
        total += sizes[s].benefits;
      });
      return total ? asked(m, audience).benefits / total : 0;
    }

    function ratings(m, scope) {
      var sum = 0;
      AUDIENCES.forEach(function (audience) {
        sum += invited[audience] * share(m, audience, scope);
      });
      return Math.round(sum);
    }

    function sentence(m) {
      var full = asked(null, "both");
      var mine = asked(m, "both");
      var out;
      if (m === null || mine.benefits >= full.benefits) {
        out = "Every respondent answers all " + full.questions + " questions (about " + full.minutes + " min).";
      } else {
        out =
          "About " + mine.questions + " questions per respondent (about " + mine.minutes + " min) instead of " +
          full.questions + " (about " + full.minutes + " min).";
      }
      var invitations = invited.both + invited.internal + invited.external;
      if (!invitations) {
        return out + " No invitations yet: each benefit is rated by about " +
          Math.round(100 * share(m, "both", "internal")) + "% of respondents.";
      }
      var internal = ratings(m, "internal");
      var external = ratings(m, "external");
      var rated =
        internal === external
          ? "each benefit would be rated by about " + internal + " people"
          : "each internal benefit would be rated by about " + internal + " people and each external one by about " +
            external;
      return out + " With the " + invitations + " invitation" + (invitations !== 1 ? "s" : "") + " so far, " +
        rated + ", if everyone answers.";
    }

    function update() {
      var raw = input.value.trim();
      if (raw === "") {
        text.textContent = sentence(null);
        return;
      }
      if (!/^[0-9]+$/.test(raw) || Number(raw) < 1) {
        text.textContent = "Give a whole number of 1 or more, or leave it empty to ask every benefit.";
        return;
      }
      text.textContent = sentence(Number(raw));
    }

    input.addEventListener("input", update);
    update();
  }
})();

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

    // The sentences come translated from the page (assessments/length.py SENTENCES), with Python's
    // placeholders: %(name)s for a value, %% for a percent sign.
    function say(key, values) {
      return box.getAttribute("data-text-" + key).replace(/%\((\w+)\)s|%%/g, function (all, name) {
        return name ? String(values[name]) : "%";
      });
    }

    function sentence(m) {
      var full = asked(null, "both");
      var mine = asked(m, "both");
      var out;
      if (m === null || mine.benefits >= full.benefits) {
        out = say("all", { questions: full.questions, minutes: full.minutes });
      } else {
        out = say("fewer", {
          asked: mine.questions, asked_minutes: mine.minutes, questions: full.questions, minutes: full.minutes,
        });
      }
      var invitations = invited.both + invited.internal + invited.external;
      if (!invitations) {
        return out + " " + say("none-invited", { share: Math.round(100 * share(m, "both", "internal")) });
      }
      var internal = ratings(m, "internal");
      var external = ratings(m, "external");
      var rated =
        internal === external
          ? say("rated-same", { people: internal })
          : say("rated-split", { internal: internal, external: external });
      return out + " " + say(invitations === 1 ? "invited-one" : "invited-many", { invitations: invitations, rated: rated });
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

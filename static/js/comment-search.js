// Report page: filter the shown comments by what is typed in the search box.
// Progressive enhancement only: without JavaScript every shown comment is listed.
(function () {
  "use strict";

  var input = document.getElementById("comment-search");
  var status = document.getElementById("comment-search-status");
  if (!input) {
    return;
  }

  // Lower case without accents, so "jose" finds "José" (as the redaction folds names).
  function fold(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  var sections = Array.prototype.slice.call(document.querySelectorAll("#comment-sections .comment-section"));
  var items = [];
  sections.forEach(function (section) {
    Array.prototype.forEach.call(section.querySelectorAll("li.comment"), function (li) {
      items.push({ li: li, section: section, text: fold(li.textContent) });
    });
  });

  // The sentence comes translated from the page, with Python's placeholders: %(name)s for a value.
  var MATCH = status.getAttribute("data-text-match") || "%(shown)s of %(total)s comments match “%(query)s”.";
  function say(values) {
    return MATCH.replace(/%\((\w+)\)s|%%/g, function (all, name) {
      return name ? String(values[name]) : "%";
    });
  }

  function apply() {
    var words = fold(input.value).split(/\s+/).filter(Boolean);
    var shown = 0;
    var perSection = new Map();
    items.forEach(function (item) {
      var match = words.every(function (w) {
        return item.text.indexOf(w) !== -1;
      });
      item.li.hidden = !match;
      if (match) {
        shown += 1;
        perSection.set(item.section, (perSection.get(item.section) || 0) + 1);
      }
    });
    sections.forEach(function (section) {
      var none = section.querySelector(".comment-none");
      if (none) {
        none.hidden = !words.length || perSection.has(section);
      }
    });
    status.textContent = words.length ? say({ shown: shown, total: items.length, query: input.value.trim() }) : "";
  }

  input.addEventListener("input", apply);
  apply();
})();

// A box that scrolls sideways (a wide table or chart on a narrow screen) can be scrolled with the keyboard:
// while it overflows it is a named, focusable region (WCAG 2.1.1); when it fits, it is no extra tab stop.
(function () {
  "use strict";

  var SELECTOR = ".table-responsive, [data-scroll-region]";

  function nameOf(box) {
    var source = box.querySelector("caption, figcaption, svg > title");
    var text = source ? source.textContent.trim() : "";
    var kind = source && source.tagName.toLowerCase() === "caption" ? "Table" : "Chart";
    return (text ? kind + ": " + text : "Wide content") + " (scrolls sideways)";
  }

  // Two regions of one page never share a name (a chart and its table often share their title).
  function unique(name) {
    var taken = {};
    document.querySelectorAll("[data-scroll-label]").forEach(function (box) { taken[box.getAttribute("aria-label")] = true; });
    var candidate = name;
    for (var n = 2; taken[candidate]; n += 1) { candidate = name + " " + n; }
    return candidate;
  }

  function update() {
    document.querySelectorAll(SELECTOR).forEach(function (box) {
      var overflows = box.scrollWidth > box.clientWidth + 1;
      if (overflows && !box.hasAttribute("tabindex")) {
        box.setAttribute("tabindex", "0");
        box.dataset.scrollFocusable = "";
        if (!box.hasAttribute("role")) { box.setAttribute("role", "region"); box.dataset.scrollRole = ""; }
        if (!box.hasAttribute("aria-label") && !box.hasAttribute("aria-labelledby")) {
          box.setAttribute("aria-label", unique(nameOf(box)));
          box.dataset.scrollLabel = "";
        }
      } else if (!overflows && "scrollFocusable" in box.dataset) {
        // Only what this script added is taken away again.
        box.removeAttribute("tabindex");
        delete box.dataset.scrollFocusable;
        if ("scrollRole" in box.dataset) { box.removeAttribute("role"); delete box.dataset.scrollRole; }
        if ("scrollLabel" in box.dataset) { box.removeAttribute("aria-label"); delete box.dataset.scrollLabel; }
      }
    });
  }

  var pending = null;
  function later() {
    if (pending) { window.cancelAnimationFrame(pending); }
    pending = window.requestAnimationFrame(function () { pending = null; update(); });
  }

  update();
  window.addEventListener("resize", later);
  // A folded table (<details>) has no width until it opens.
  document.addEventListener("toggle", later, true);
})();

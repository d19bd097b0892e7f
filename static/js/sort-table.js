// Sortable tables: a heading with data-sort-type becomes a button that sorts the rows by the
// cells' data-sort values (numbers or text); empty values always sort last. No dependencies.
(function () {
  "use strict";

  function value(row, index, type) {
    var cell = row.children[index];
    var raw = cell ? (cell.getAttribute("data-sort") || "") : "";
    if (raw === "") return null;
    return type === "number" ? parseFloat(raw) : raw.toLowerCase();
  }

  function sortBy(table, th, index, type) {
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th[aria-sort]").forEach(function (other) { other.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var body = table.tBodies[0];
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = value(a, index, type), y = value(b, index, type);
      if (x === null && y === null) return 0;
      if (x === null) return 1;
      if (y === null) return -1;
      var order = type === "number" ? x - y : x.localeCompare(y);
      return ascending ? order : -order;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function columnIndex(th) {
    // The column of the heading in the last header row (rowspan headings come first).
    var row = th.parentNode, index = 0, cells = row.children;
    for (var i = 0; i < cells.length && cells[i] !== th; i++) index += cells[i].colSpan || 1;
    var head = row.parentNode;
    if (head.rows.length > 1 && row === head.rows[head.rows.length - 1]) {
      Array.prototype.forEach.call(head.rows[0].children, function (cell) {
        if ((cell.rowSpan || 1) > 1) index += 1;
      });
    }
    return index;
  }

  document.querySelectorAll("table.sortable").forEach(function (table) {
    table.querySelectorAll("thead th[data-sort-type]").forEach(function (th) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sort-button";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      var index = columnIndex(th), type = th.getAttribute("data-sort-type");
      button.addEventListener("click", function () { sortBy(table, th, index, type); });
    });
  });
})();

document.querySelectorAll("table.sortable").forEach(function (table) {
  var heads = table.tHead.rows[0].cells;
  Array.prototype.forEach.call(heads, function (th, i) {
    th.addEventListener("click", function () {
      var asc = th.dataset.dir !== "asc";
      Array.prototype.forEach.call(heads, function (h) { delete h.dataset.dir; });
      th.dataset.dir = asc ? "asc" : "desc";
      var body = table.tBodies[0];
      var rows = Array.prototype.slice.call(body.rows);
      function key(row) {
        var c = row.cells[i];
        return c.dataset.v !== undefined ? parseFloat(c.dataset.v) : c.textContent;
      }
      rows.sort(function (a, b) {
        var x = key(a), y = key(b);
        var d = typeof x === "number" ? x - y : String(x).localeCompare(String(y));
        return asc ? d : -d;
      });
      var frag = document.createDocumentFragment();
      rows.forEach(function (r) { frag.appendChild(r); });
      body.appendChild(frag);
    });
  });
});

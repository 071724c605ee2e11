(function () {
  "use strict";
  // Access review workbook: decisions and comments are kept in this browser (localStorage,
  // per snapshot) and exported as CSV; every cell a spreadsheet could read as a formula is
  // prefixed with a quote.
  var rows = Array.prototype.slice.call(document.querySelectorAll("tr[data-principal]"));
  var key = "provost-review:" + document.title;
  var saved = {};
  try { saved = JSON.parse(localStorage.getItem(key) || "{}") || {}; } catch (e) { saved = {}; }
  function save() { try { localStorage.setItem(key, JSON.stringify(saved)); } catch (e) { /* private mode */ } }
  rows.forEach(function (tr) {
    var id = tr.getAttribute("data-principal") + "\u0000" + tr.getAttribute("data-person");
    var sel = tr.querySelector("select"), input = tr.querySelector("input");
    if (saved[id]) { sel.value = saved[id][0] || ""; input.value = saved[id][1] || ""; }
    function store() { saved[id] = [sel.value, input.value]; save(); }
    sel.addEventListener("change", store);
    input.addEventListener("change", store);
  });
  function cell(s) {
    s = String(s === undefined || s === null ? "" : s);
    if (/^[=+\-@\t\r]/.test(s)) s = "'" + s;
    return /[",\r\n]/.test(s) ? '"' + s.replace(/"/g, '""') + '"' : s;
  }
  document.getElementById("export-decisions").addEventListener("click", function () {
    var out = [["reviewer_id", "person_id", "principal", "decision", "comment"].join(",")];
    rows.forEach(function (tr) {
      out.push([tr.getAttribute("data-reviewer"), tr.getAttribute("data-person"), tr.getAttribute("data-principal"),
        tr.querySelector("select").value, tr.querySelector("input").value].map(cell).join(","));
    });
    var blob = new Blob([out.join("\r\n") + "\r\n"], { type: "text/csv" });
    var a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = "access-review-decisions.csv";
    document.body.appendChild(a);
    a.click();
    setTimeout(function () { URL.revokeObjectURL(a.href); a.remove(); }, 0);
  });
  document.getElementById("print-button").addEventListener("click", function () { window.print(); });
})();

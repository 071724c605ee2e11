(function () {
  "use strict";
  // Provost report. Every string from the data is put into the page as text (textContent),
  // never as markup. The findings table renders one page of rows at a time.
  var D = JSON.parse(document.getElementById("provost-data").textContent);
  var SEV = ["", "info", "low", "medium", "high", "critical"];
  var SEV_TITLE = ["", "Info", "Low", "Medium", "High", "Critical"];
  var STATUS = D.statuses;
  var STATUS_TITLE = { open: "Open", waived: "Waived", resolved: "Resolved", error: "Check error", cannot_evaluate: "Cannot evaluate" };
  var DAY = 86400;
  var $ = function (id) { return document.getElementById(id); };

  // Finding rows: [id, check, principal, account, provider, sev, status, qualifier, message,
  // firstSeen, lastSeen, resolvedAt, evidence, waiver].
  var F = D.findings, C = D.checks, P = D.principals, A = D.accounts, PE = D.people, PR = D.providers;
  var n = F.length;
  var hay = null; // lower-case search text per finding, built on the first search

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined && text !== null) e.textContent = String(text);
    return e;
  }
  function fmtNum(x) { return x.toLocaleString("en-US"); }
  function fmtDate(s) { return s ? new Date(s * 1000).toISOString().slice(0, 10) : "—"; }
  function fmtAge(secs) {
    if (secs <= 0) return "";
    var d = Math.floor(secs / DAY);
    if (d >= 1) return d + (d === 1 ? " day" : " days");
    var h = Math.floor(secs / 3600);
    return h >= 1 ? h + " h" : "<1 h";
  }
  function principalName(i) {
    if (i < 0) return "";
    return P[i][1] || P[i][0];
  }
  function personOf(pi) {
    if (pi < 0) return null;
    var x = P[pi][5];
    return x >= 0 ? PE[x] : null;
  }
  function accountLabel(ai) {
    if (ai < 0) return "";
    return A[ai][1] ? A[ai][1] + " (" + A[ai][0] + ")" : A[ai][0];
  }
  function age(r) {
    if (!r[9]) return 0;
    var end = STATUS[r[6]] === "resolved" && r[11] ? r[11] : D.generated;
    return Math.max(0, end - r[9]);
  }
  function buildHay() {
    hay = new Array(n);
    for (var i = 0; i < n; i++) {
      var r = F[i], c = C[r[1]], pi = r[2], parts = [c[0], c[1], r[7], r[8]];
      if (pi >= 0) { parts.push(P[pi][0], P[pi][1], P[pi][15]); var pe = personOf(pi); if (pe) parts.push(pe[1], pe[2], pe[0]); }
      if (r[3] >= 0) parts.push(A[r[3]][0], A[r[3]][1]);
      hay[i] = parts.join("\u0000").toLowerCase();
    }
  }

  // Filter and sort state.
  var state = { q: "", sevs: {}, status: "live", provider: "", framework: "", check: "", account: "", sort: "sev", dir: -1, page: 0, size: 50 };
  var view = new Int32Array(0);

  function checkHasFramework(ci, fw) {
    var refs = C[ci][3];
    for (var k = 0; k < refs.length; k++) {
      if (refs[k] === fw || refs[k].lastIndexOf(fw + "-", 0) === 0) return true;
    }
    return false;
  }

  function applyFilters() {
    var q = state.q.trim().toLowerCase();
    if (q && !hay) buildHay();
    var anySev = false, s;
    for (s in state.sevs) if (state.sevs[s]) anySev = true;
    var prov = state.provider ? PR.indexOf(state.provider) : -2;
    var chk = -1, k;
    if (state.check) for (k = 0; k < C.length; k++) if (C[k][0] === state.check) chk = k;
    var fwOK = null;
    if (state.framework) { fwOK = new Uint8Array(C.length); for (k = 0; k < C.length; k++) fwOK[k] = checkHasFramework(k, state.framework) ? 1 : 0; }
    var acct = -1;
    if (state.account) for (k = 0; k < A.length; k++) if (A[k][0] === state.account) acct = k;
    var out = new Int32Array(n), m = 0;
    for (var i = 0; i < n; i++) {
      var r = F[i], st = STATUS[r[6]];
      if (state.status === "live" ? st === "resolved" : (state.status !== "all" && st !== state.status)) continue;
      if (anySev && !state.sevs[SEV[r[5]]]) continue;
      if (prov !== -2 && r[4] !== prov) continue;
      if (state.check && r[1] !== chk) continue;
      if (fwOK && !fwOK[r[1]]) continue;
      if (state.account && r[3] !== acct) continue;
      if (q && hay[i].indexOf(q) < 0) continue;
      out[m++] = i;
    }
    view = out.subarray(0, m);
    sortView();
    state.page = 0;
    render();
  }

  function sortKey(i) {
    var r = F[i];
    switch (state.sort) {
      case "check": return C[r[1]][0];
      case "principal": return principalName(r[2]).toLowerCase();
      case "account": return r[3] >= 0 ? A[r[3]][0] : "";
      case "status": return r[6];
      case "age": return age(r);
      default: return r[5];
    }
  }
  function sortView() {
    var keys = new Array(n), dir = state.dir, idx = Array.prototype.slice.call(view);
    for (var j = 0; j < idx.length; j++) keys[idx[j]] = sortKey(idx[j]);
    idx.sort(function (a, b) {
      var ka = keys[a], kb = keys[b];
      if (ka < kb) return -dir;
      if (ka > kb) return dir;
      return a - b; // the Go side's order: severity, check, principal
    });
    view = Int32Array.from(idx);
  }

  function badge(cls, text) { return el("span", "badge " + cls, text); }

  function render() {
    var body = $("f-body"), total = view.length, pages = Math.max(1, Math.ceil(total / state.size));
    if (state.page >= pages) state.page = pages - 1;
    var from = state.page * state.size, to = Math.min(total, from + state.size);
    var frag = document.createDocumentFragment();
    for (var j = from; j < to; j++) frag.appendChild(row(view[j]));
    if (total === 0) {
      var tr = el("tr"), td = el("td", "empty", "No findings match.");
      td.colSpan = 7; tr.appendChild(td); frag.appendChild(tr);
    }
    body.replaceChildren(frag);
    var cnt = $("f-count");
    cnt.textContent = fmtNum(total);
    cnt.setAttribute("data-count", String(total));
    $("f-count-label").textContent = (total === 1 ? "finding" : "findings") + (total !== n ? " of " + fmtNum(n) : "");
    $("f-page").textContent = total ? "Rows " + fmtNum(from + 1) + "–" + fmtNum(to) + " · page " + fmtNum(state.page + 1) + " of " + fmtNum(pages) : "Page 1 of 1";
    $("f-prev").disabled = state.page === 0;
    $("f-next").disabled = state.page >= pages - 1;
  }

  function row(i) {
    var r = F[i], c = C[r[1]], tr = el("tr");
    tr.setAttribute("data-finding", r[0]);
    tr.setAttribute("data-i", String(i));
    var td = el("td"); td.appendChild(badge("sev-" + SEV[r[5]], SEV_TITLE[r[5]])); tr.appendChild(td);
    td = el("td"); td.appendChild(el("span", "check-id", c[0])); td.appendChild(document.createTextNode(c[1])); tr.appendChild(td);
    td = el("td");
    if (r[2] >= 0) {
      var b = el("button", "link principal", principalName(r[2]));
      b.type = "button";
      td.appendChild(b);
      if (P[r[2]][1]) td.appendChild(el("span", "sub", P[r[2]][0]));
      var pe = personOf(r[2]);
      if (pe) td.appendChild(el("span", "sub", "Owner: " + (pe[1] || pe[0]) + (pe[3] === "terminated" ? " (left)" : "")));
    } else {
      td.appendChild(el("span", "muted", "—"));
    }
    tr.appendChild(td);
    td = el("td", null, accountLabel(r[3])); if (r[4] >= 0) td.appendChild(el("span", "sub", PR[r[4]].toUpperCase())); tr.appendChild(td);
    td = el("td", "msg", r[8]); if (r[7]) td.appendChild(el("span", "q", r[7])); tr.appendChild(td);
    td = el("td"); td.appendChild(badge("st-" + STATUS[r[6]], STATUS_TITLE[STATUS[r[6]]])); tr.appendChild(td);
    tr.appendChild(el("td", "num", fmtAge(age(r))));
    return tr;
  }

  // Detail view: the principal with all its findings, evidence and remediation.
  var dlg = $("detail");
  function fact(dl, k, v) {
    var d = el("div"); d.appendChild(el("dt", null, k)); d.appendChild(el("dd", null, v === "" || v === null || v === undefined ? "—" : v)); dl.appendChild(d);
  }
  function table(head, rows) {
    var t = el("table", "data compact"), th = el("thead"), tr = el("tr");
    head.forEach(function (h) { var x = el("th", null, h); x.scope = "col"; tr.appendChild(x); });
    th.appendChild(tr); t.appendChild(th);
    var tb = el("tbody");
    rows.forEach(function (r) { var rr = el("tr"); r.forEach(function (v) { rr.appendChild(el("td", null, v)); }); tb.appendChild(rr); });
    t.appendChild(tb);
    return t;
  }
  function evidenceValue(v) {
    if (v === null || v === undefined) return "";
    return typeof v === "object" ? JSON.stringify(v) : String(v);
  }
  function findingCard(i, focus) {
    var r = F[i], c = C[r[1]], card = el("article", "finding-card sev-" + SEV[r[5]] + (focus ? " focus" : ""));
    var head = el("div", "row-badges");
    head.appendChild(badge("sev-" + SEV[r[5]], SEV_TITLE[r[5]]));
    head.appendChild(badge("st-" + STATUS[r[6]], STATUS_TITLE[STATUS[r[6]]]));
    head.appendChild(el("code", null, c[0]));
    if (r[7]) head.appendChild(el("span", "muted", r[7]));
    card.appendChild(head);
    card.appendChild(el("h4", null, c[1] || c[0]));
    card.appendChild(el("p", null, r[8]));
    var meta = [];
    if (r[9]) meta.push("first seen " + fmtDate(r[9]));
    if (r[10]) meta.push("last seen " + fmtDate(r[10]));
    if (r[11]) meta.push("resolved " + fmtDate(r[11]));
    if (age(r)) meta.push("open for " + fmtAge(age(r)));
    if (c[3].length) meta.push(c[3].join(", "));
    if (meta.length) card.appendChild(el("p", "sub", meta.join(" · ")));
    if (r[13]) card.appendChild(el("p", "sub", "Waived by " + r[13][0] + (r[13][2] ? " until " + fmtDate(r[13][2]) : "") + ": " + r[13][1]));
    if (r[12]) {
      var rows = Object.keys(r[12]).sort().map(function (k) { return [k, evidenceValue(r[12][k])]; });
      var t = table(["Evidence", "Value"], rows); t.className += " evidence"; card.appendChild(t);
    }
    if (c[4] || c[5]) {
      var rem = el("div", "remediation"); rem.appendChild(el("strong", null, "Suggested remediation" + (c[5] ? " (" + c[5] + ")" : "") + ": "));
      rem.appendChild(document.createTextNode(c[4] || ""));
      card.appendChild(rem);
    }
    return card;
  }
  function openDetail(fi) {
    var r = F[fi], pi = r[2], body = $("detail-body");
    body.replaceChildren();
    if (pi < 0) {
      $("detail-kind").textContent = "Finding";
      $("detail-title").textContent = C[r[1]][1] || C[r[1]][0];
      $("detail-id").textContent = r[0];
      body.appendChild(findingCard(fi, true));
    } else {
      var p = P[pi], pe = personOf(pi);
      $("detail-kind").textContent = ((p[3] >= 0 ? PR[p[3]].toUpperCase() + " " : "") + (p[2] || "principal")).replace(/_/g, " ");
      $("detail-title").textContent = p[1] || p[0];
      $("detail-id").textContent = p[0];
      var dl = el("dl", "facts");
      fact(dl, "Account", accountLabel(p[4]));
      fact(dl, "Owner", pe ? (pe[1] || pe[0]) + (pe[2] ? " <" + pe[2] + ">" : "") : "not linked to a person");
      if (pe) {
        fact(dl, "Employment", pe[3] + (pe[7] ? " (end " + fmtDate(pe[7]) + ")" : ""));
        fact(dl, "Title", [pe[4], pe[5]].filter(Boolean).join(", "));
        fact(dl, "Manager", pe[6]);
      }
      if (p[11]) fact(dl, "Linked by", p[11]);
      if (p[15]) fact(dl, "Email", p[15]);
      fact(dl, "MFA", p[6] ? "yes" : "no");
      fact(dl, "Console access", p[7] ? "yes" : "no");
      fact(dl, "Disabled", p[8] ? "yes" : "no");
      fact(dl, "Created", fmtDate(p[9]));
      fact(dl, "Last activity", fmtDate(p[10]));
      body.appendChild(dl);
      var list = [];
      for (var i = 0; i < n; i++) if (F[i][2] === pi) list.push(i);
      body.appendChild(el("h3", null, "Findings (" + list.length + ")"));
      list.forEach(function (i) { body.appendChild(findingCard(i, i === fi)); });
      if (p[12].length) {
        body.appendChild(el("h3", null, "Credentials"));
        body.appendChild(table(["Kind", "ID", "Status", "Created", "Last used", "Expires"], p[12].map(function (c) {
          return [c[0], c[1], c[2], fmtDate(c[3]), fmtDate(c[4]), c[5] ? fmtDate(c[5]) : ""];
        })));
      }
      if (p[13].length) {
        body.appendChild(el("h3", null, "Grants" + (p[14] > p[13].length ? " (" + p[13].length + " of " + p[14] + ", most privileged first)" : " (" + p[14] + ")")));
        body.appendChild(table(["Privilege", "Role or policy", "Where", "Via", "Condition"], p[13].map(function (g) { return [g[3], g[0], g[1], g[2], g[4]]; })));
      }
    }
    if (typeof dlg.showModal === "function") dlg.showModal(); else dlg.setAttribute("open", "");
    var focus = body.querySelector(".focus");
    if (focus && focus.scrollIntoView) focus.scrollIntoView({ block: "nearest" });
  }
  $("detail-close").addEventListener("click", function () { dlg.close(); });
  dlg.addEventListener("click", function (e) { if (e.target === dlg) dlg.close(); });

  $("f-body").addEventListener("click", function (e) {
    var tr = e.target.closest("tr[data-i]");
    if (tr) openDetail(parseInt(tr.getAttribute("data-i"), 10));
  });

  // Controls.
  var timer = 0;
  $("f-search").addEventListener("input", function (e) {
    clearTimeout(timer);
    var v = e.target.value;
    timer = setTimeout(function () { state.q = v; applyFilters(); }, 120);
  });
  function syncChips() {
    document.querySelectorAll(".chip[data-sev]").forEach(function (b) { b.setAttribute("aria-pressed", state.sevs[b.getAttribute("data-sev")] ? "true" : "false"); });
  }
  document.querySelectorAll(".chip[data-sev]").forEach(function (b) {
    b.addEventListener("click", function () { var s = b.getAttribute("data-sev"); state.sevs[s] = !state.sevs[s]; syncChips(); applyFilters(); });
  });
  document.querySelectorAll(".sev-tile[data-severity]").forEach(function (b) {
    b.addEventListener("click", function () {
      state.sevs = {}; state.sevs[b.getAttribute("data-severity")] = true; state.status = "open"; $("f-status").value = "open";
      syncChips(); applyFilters(); $("findings").scrollIntoView();
    });
  });
  [["f-status", "status"], ["f-provider", "provider"], ["f-framework", "framework"], ["f-check", "check"]].forEach(function (x) {
    $(x[0]).addEventListener("change", function (e) { state[x[1]] = e.target.value; applyFilters(); });
  });
  document.querySelectorAll("button[data-check]").forEach(function (b) {
    b.addEventListener("click", function () { state.check = b.getAttribute("data-check"); $("f-check").value = state.check; state.status = "all"; $("f-status").value = "all"; applyFilters(); $("findings").scrollIntoView(); });
  });
  document.querySelectorAll("button[data-account]").forEach(function (b) {
    b.addEventListener("click", function () { state.account = b.getAttribute("data-account"); state.q = ""; $("f-search").value = ""; applyFilters(); $("findings").scrollIntoView(); });
  });
  $("f-reset").addEventListener("click", function () {
    state.q = ""; state.sevs = {}; state.status = "live"; state.provider = ""; state.framework = ""; state.check = ""; state.account = "";
    $("f-search").value = ""; $("f-status").value = "live"; $("f-provider").value = ""; $("f-framework").value = ""; $("f-check").value = "";
    syncChips(); applyFilters();
  });
  $("f-prev").addEventListener("click", function () { if (state.page > 0) { state.page--; render(); } });
  $("f-next").addEventListener("click", function () { state.page++; render(); });
  $("f-size").addEventListener("change", function (e) { state.size = parseInt(e.target.value, 10) || 50; state.page = 0; render(); });
  document.querySelectorAll("th[data-sort] button").forEach(function (b) {
    b.addEventListener("click", function () {
      var th = b.parentNode, key = th.getAttribute("data-sort");
      if (state.sort === key) state.dir = -state.dir; else { state.sort = key; state.dir = key === "sev" || key === "age" ? -1 : 1; }
      document.querySelectorAll("th[data-sort]").forEach(function (h) { h.removeAttribute("aria-sort"); });
      th.setAttribute("aria-sort", state.dir < 0 ? "descending" : "ascending");
      sortView(); state.page = 0; render();
    });
  });

  // Printing: show every section, and up to 1000 rows of the current view.
  var pageSize = 0;
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.setAttribute("data-was-open", d.open ? "1" : "0"); d.open = true; });
    pageSize = state.size; state.size = 1000; state.page = 0; render();
  });
  window.addEventListener("afterprint", function () {
    document.querySelectorAll("details").forEach(function (d) { d.open = d.getAttribute("data-was-open") === "1"; });
    if (pageSize) { state.size = pageSize; render(); }
  });
  $("print-button").addEventListener("click", function () { window.print(); });

  applyFilters();
})();

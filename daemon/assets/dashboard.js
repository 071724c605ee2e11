// Provost dashboard: a small client of the daemon's JSON API. Every value from the API is put
// into the page with textContent, never as HTML.
(function () {
  "use strict";
  var SEVERITIES = ["critical", "high", "medium", "low", "info"];
  var PAGE = 50;
  var tokenKey = "provost.token";
  var page = document.getElementById("page");

  function token() { return sessionStorage.getItem(tokenKey) || ""; }

  function el(tag, attrs, children) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (k === "text") { e.textContent = attrs[k]; } else { e.setAttribute(k, attrs[k]); }
    });
    (children || []).forEach(function (c) { if (c) { e.appendChild(typeof c === "string" ? document.createTextNode(c) : c); } });
    return e;
  }

  function api(method, path) {
    return apiJSON(method, path, 0);
  }

  // apiJSON is api; a 404 answer resolves to null when allow404 is set.
  function apiJSON(method, path, allow404) {
    return fetch(path, { method: method, headers: { "Authorization": "Bearer " + token() } }).then(function (r) {
      if (r.status === 401) { showLogin("The token was refused."); throw new Error("unauthorized"); }
      return r.json().then(function (body) {
        if (allow404 && r.status === 404) { return null; }
        if (!r.ok) { throw new Error(body.error || ("HTTP " + r.status)); }
        return body;
      });
    });
  }

  function showLogin(msg) {
    document.getElementById("login").hidden = false;
    document.getElementById("login-error").textContent = msg || "";
    page.replaceChildren();
  }

  function badge(cls, text) { return el("span", { "class": "badge " + cls, text: text }); }

  function card(title, children, id) {
    var attrs = { "class": "card" };
    if (id) { attrs.id = id; }
    return el("section", attrs, [el("h2", { text: title })].concat(children));
  }

  function table(cls, heads, rows) {
    return el("div", { "class": "table-wrap" }, [el("table", { "class": "data " + cls }, [
      el("thead", {}, [el("tr", {}, heads.map(function (h) { return el("th", { text: h }); }))]),
      el("tbody", { id: cls + "-body" }, rows)
    ])]);
  }

  function fail(err) {
    if (err.message === "unauthorized") { return; }
    page.replaceChildren(card("Error", [el("p", { "class": "error-text", text: err.message })]));
  }

  function principalLink(id) {
    return el("a", { href: "#principal/" + encodeURIComponent(id), text: id });
  }

  // Overview: open findings by severity in the latest snapshot and the trend over snapshots.
  function overview() {
    return api("GET", "/api/v1/trend").then(function (t) {
      var pts = t.points;
      if (pts.length === 0) {
        page.replaceChildren(card("Overview", [el("p", { "class": "empty", text: "No snapshot yet: start a run." })]));
        return;
      }
      var last = pts[pts.length - 1];
      document.getElementById("meta").textContent = "Latest snapshot " + last.snapshot + " · " + last.principals + " principals";
      var tiles = el("div", { "class": "sev-tiles", id: "sev-tiles" }, SEVERITIES.map(function (s) {
        var a = el("a", { "class": "sev-tile sev-" + s, href: "#findings?severity=" + s + "&status=open", "data-severity": s }, [
          el("span", { "class": "n", text: String(last.open[s]) }), el("span", { "class": "l", text: s })]);
        return a;
      }));
      page.replaceChildren(el("div", { "class": "grid2" }, [
        card("Open findings", [tiles, el("p", { "class": "hint", text: "Score " + last.score.toFixed(1) })], "overview-counts"),
        card("Trend", [trendChart(pts)], "trend-card")
      ]));
    });
  }

  function trendChart(pts) {
    var ns = "http://www.w3.org/2000/svg", w = 640, h = 200, pad = 36;
    var totals = pts.map(function (p) { return SEVERITIES.reduce(function (n, s) { return n + p.open[s]; }, 0); });
    var max = Math.max(1, Math.max.apply(null, totals));
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("class", "trend"); svg.setAttribute("viewBox", "0 0 " + w + " " + h); svg.setAttribute("id", "trend");
    var step = pts.length > 1 ? (w - 2 * pad) / (pts.length - 1) : 0;
    var d = "";
    pts.forEach(function (p, i) {
      var x = pad + i * step, y = h - pad - (h - 2 * pad) * totals[i] / max;
      d += (i ? " L" : "M") + x.toFixed(1) + " " + y.toFixed(1);
      var dot = document.createElementNS(ns, "circle");
      dot.setAttribute("class", "score-dot"); dot.setAttribute("cx", x); dot.setAttribute("cy", y); dot.setAttribute("r", 4);
      var tip = document.createElementNS(ns, "title"); tip.textContent = p.snapshot + ": " + totals[i] + " open";
      dot.appendChild(tip);
      svg.appendChild(dot);
      var label = document.createElementNS(ns, "text");
      label.setAttribute("class", "tick x"); label.setAttribute("x", x); label.setAttribute("y", h - 10);
      label.textContent = p.at.slice(0, 10);
      svg.appendChild(label);
    });
    var line = document.createElementNS(ns, "path");
    line.setAttribute("class", "score-line"); line.setAttribute("d", d);
    svg.insertBefore(line, svg.firstChild);
    return svg;
  }

  // Findings: filters and paging go to the API.
  function findings(params) {
    var q = new URLSearchParams(params);
    var offset = parseInt(q.get("offset") || "0", 10);
    q.set("limit", PAGE);
    return api("GET", "/api/v1/findings?" + q.toString()).then(function (res) {
      var sev = el("select", { id: "f-severity", "aria-label": "Severity" }, [el("option", { value: "", text: "All severities" })].concat(
        SEVERITIES.map(function (s) { return el("option", { value: s, text: s }); })));
      sev.value = params.severity || "";
      var status = el("select", { id: "f-status", "aria-label": "Status" }, ["", "open", "waived", "resolved", "error"].map(function (s) {
        return el("option", { value: s, text: s || "Any status" });
      }));
      status.value = params.status || "";
      var search = el("input", { type: "search", id: "f-search", placeholder: "Search principal, check or message", value: params.q || "" });
      function apply() {
        var n = {};
        if (sev.value) { n.severity = sev.value; }
        if (status.value) { n.status = status.value; }
        if (search.value) { n.q = search.value; }
        location.hash = "findings?" + new URLSearchParams(n).toString();
      }
      sev.addEventListener("change", apply);
      status.addEventListener("change", apply);
      search.addEventListener("change", apply);
      var rows = res.findings.map(function (f) {
        return el("tr", { "data-finding": f.id }, [
          el("td", {}, [badge("sev-" + f.severity, f.severity)]),
          el("td", {}, [el("code", { text: f.check_id })]),
          el("td", {}, [principalLink(f.principal || "")]),
          el("td", { text: f.message }),
          el("td", {}, [badge("st-" + f.status, f.status)])
        ]);
      });
      var count = el("p", { "class": "count", id: "f-count", "data-count": String(res.total) }, [
        el("span", { text: String(res.total) }), el("span", { text: " findings in " + res.snapshot })]);
      var pager = el("div", { "class": "pager" });
      function pageLink(label, off) {
        var p = Object.assign({}, params, { offset: String(off) });
        return el("a", { "class": "button secondary small", href: "#findings?" + new URLSearchParams(p).toString(), text: label });
      }
      if (offset > 0) { pager.appendChild(pageLink("Previous", Math.max(0, offset - PAGE))); }
      if (offset + PAGE < res.total) { pager.appendChild(pageLink("Next", offset + PAGE)); }
      page.replaceChildren(card("Findings", [
        el("div", { "class": "toolbar" }, [search, sev, status]), count,
        table("findings", ["Severity", "Check", "Principal", "Message", "Status"], rows), pager
      ], "findings-card"));
    });
  }

  function principal(id) {
    return api("GET", "/api/v1/principals/" + id.split("/").map(encodeURIComponent).join("/")).then(function (res) {
      var p = res.principal;
      var facts = el("dl", { "class": "facts" }, [
        ["Kind", p.kind], ["Provider", p.provider], ["Account", p.account], ["Name", p.name], ["Email", p.email || ""],
        ["Person", p.person_id || "not linked"]
      ].reduce(function (acc, kv) { return acc.concat([el("dt", { text: kv[0] }), el("dd", { text: String(kv[1] || "") })]); }, []));
      var hist = res.history.map(function (h) {
        return el("tr", {}, [el("td", { text: h.snapshot }), el("td", { text: h.present ? (h.changed ? "changed" : "unchanged") : "absent" }),
          el("td", { text: (h.findings || []).join(", ") })]);
      });
      var fs = res.findings.map(function (f) {
        return el("tr", {}, [el("td", {}, [badge("sev-" + f.severity, f.severity)]), el("td", {}, [el("code", { text: f.check_id })]),
          el("td", { text: f.message }), el("td", { text: JSON.stringify(f.evidence || {}) }), el("td", {}, [badge("st-" + f.status, f.status)])]);
      });
      page.replaceChildren(card(p.id, [facts], "principal-card"),
        card("Findings", [table("pfindings", ["Severity", "Check", "Message", "Evidence", "Status"], fs)]),
        card("History", [table("history", ["Snapshot", "State", "Open findings"], hist)]));
    });
  }

  function driftPage() {
    return api("GET", "/api/v1/drift").then(function (res) {
      var items = res.events.map(function (e) {
        return el("li", {}, [el("span", { "class": "kind", text: e.kind }), " ",
          e.principal ? principalLink(e.principal) : el("span", { text: e.person || e.scope || "" })]);
      });
      var body = items.length ? el("ol", { "class": "timeline", id: "drift-list" }, items)
        : el("p", { "class": "empty", id: "drift-list", text: "No drift between " + (res.previous || "—") + " and " + res.snapshot + "." });
      page.replaceChildren(card("Drift " + (res.previous ? res.previous + " → " : "") + res.snapshot, [body], "drift-card"));
    });
  }

  function runs() {
    return api("GET", "/api/v1/runs").then(function (res) {
      var rows = res.runs.map(function (r) {
        return el("tr", { "data-run": r.id }, [el("td", { text: r.id }), el("td", { text: r.trigger }),
          el("td", {}, [badge(r.status === "succeeded" ? "cov-complete" : r.status === "running" ? "cov-partial" : "cov-failed", r.status)]),
          el("td", { text: r.started }), el("td", { text: r.result ? r.result.snapshot : (r.error || "") })]);
      });
      page.replaceChildren(card("Runs", [table("runs", ["Run", "Trigger", "Status", "Started", "Snapshot or error"], rows)], "runs-card"));
    });
  }

  function stepTarget(t) { return t.credential || t.object || t.name || ""; }

  // Remediation: the latest plan, its steps and blocked findings, and Approve for the steps
  // that wait for a human (the next run applies them).
  function remediation() {
    return apiJSON("GET", "/api/v1/remediation/plans", 1).then(function (res) {
      if (!res) {
        page.replaceChildren(card("Remediation", [el("p", { "class": "empty", id: "plan-empty", text: "No remediation plan yet." })], "plan-card"));
        return;
      }
      var rec = res.plan, plan = rec.plan;
      var approvedSteps = {};
      ((rec.approval && rec.approval.steps) || []).forEach(function (id) { approvedSteps[id] = true; });
      var done = {};
      (rec.outcomes || []).forEach(function (o) { done[o.step_id] = o.state; });
      var rows = plan.steps.map(function (s) {
        var state = done[s.id] || (s.phase === "mark" ? "" : (s.automatic ? "" : (approvedSteps[s.id] ? "approved" : "awaiting approval")));
        return el("tr", { "data-step": s.id }, [el("td", {}, [el("code", { text: s.id })]), el("td", { text: s.phase }),
          el("td", { text: s.action }), el("td", {}, [principalLink(s.target.principal)]), el("td", { text: stepTarget(s.target) }),
          el("td", { text: s.automatic ? "yes" : "no" }), el("td", { "class": "step-state", text: state })]);
      });
      var blocked = (plan.blocked || []).map(function (b) {
        return el("tr", { "data-blocked": b.finding_id }, [el("td", {}, [el("code", { text: b.check_id })]), el("td", {}, [principalLink(b.principal)]),
          el("td", { text: b.action }), el("td", { text: b.guard }), el("td", { text: b.reason })]);
      });
      var status = el("p", { "class": "hint", id: "plan-status" });
      var children = [
        el("p", { "class": "count", id: "plan-counts", text: rec.marked + " marked · " + rec.applied + " applied · " + rec.pending +
          " awaiting approval · " + rec.blocked + " blocked" })
      ];
      if (rec.refused) { children.push(el("p", { "class": "error-text", id: "plan-refused", text: rec.refused })); }
      if (rec.approval) {
        status.textContent = "Approved " + rec.approval.at + ": the next run applies " + rec.approval.steps.length + " step(s).";
      } else if (rec.pending > 0) {
        var btn = el("button", { "class": "button", id: "approve", type: "button", text: "Approve " + rec.pending + " step(s)" });
        btn.addEventListener("click", function () {
          btn.disabled = true;
          api("POST", "/api/v1/remediation/plans/" + encodeURIComponent(rec.id) + "/approve").then(function () {
            return remediation();
          }).then(function () { document.body.setAttribute("data-approved", rec.id); }).catch(fail);
        });
        children.push(btn);
      }
      children.push(status, table("steps", ["Step", "Phase", "Action", "Principal", "Target", "Automatic", "State"], rows));
      page.replaceChildren(card("Plan " + rec.id + " (snapshot " + plan.snapshot_id + ")", children, "plan-card"),
        card("Blocked (never acted on)", [table("blocked", ["Check", "Principal", "Action", "Guard", "Reason"], blocked)], "blocked-card"));
    });
  }

  function route() {
    if (!token()) { showLogin(); return; }
    document.getElementById("login").hidden = true;
    var h = location.hash.replace(/^#/, "") || "overview";
    var name = h.split(/[?/]/)[0];
    document.querySelectorAll("#nav a").forEach(function (a) { a.classList.toggle("active", a.getAttribute("data-page") === name); });
    var p;
    if (name === "findings") {
      var params = {};
      new URLSearchParams(h.split("?")[1] || "").forEach(function (v, k) { params[k] = v; });
      p = findings(params);
    } else if (name === "principal") {
      p = principal(decodeURIComponent(h.slice("principal/".length)));
    } else if (name === "drift") {
      p = driftPage();
    } else if (name === "runs") {
      p = runs();
    } else if (name === "remediation") {
      p = remediation();
    } else {
      p = overview();
    }
    p.then(function () { document.body.setAttribute("data-loaded", name); }).catch(fail);
  }

  document.getElementById("login-form").addEventListener("submit", function (ev) {
    ev.preventDefault();
    sessionStorage.setItem(tokenKey, document.getElementById("token").value);
    route();
  });
  document.getElementById("sign-out").addEventListener("click", function () { sessionStorage.removeItem(tokenKey); showLogin(); });
  document.getElementById("run-now").addEventListener("click", function () {
    api("POST", "/api/v1/runs").then(function () { location.hash = "runs"; route(); }).catch(fail);
  });
  window.addEventListener("hashchange", route);
  route();
})();

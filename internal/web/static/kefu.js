// kefu: small progressive enhancements (no inline scripts: the CSP allows
// only files from this site).
// Repeatable form rows: a button with data-add-row="TEMPLATE_ID" and
// data-target="TBODY_ID" appends the <template>'s row; a button with
// data-remove-row removes its row, one with data-move-row-up moves it
// above the row before it (rows whose order matters).
document.addEventListener("click", function (e) {
  var add = e.target.closest("[data-add-row]");
  if (add) {
    var tpl = document.getElementById(add.dataset.addRow);
    var body = document.getElementById(add.dataset.target);
    if (tpl && body) {
      body.appendChild(tpl.content.cloneNode(true));
    }
    return;
  }
  var up = e.target.closest("[data-move-row-up]");
  if (up) {
    var tr = up.closest("tr");
    if (tr && tr.previousElementSibling) {
      tr.parentNode.insertBefore(tr, tr.previousElementSibling);
    }
    return;
  }
  var rm = e.target.closest("[data-remove-row]");
  if (rm) {
    var row = rm.closest("tr");
    if (row) {
      row.remove();
    }
  }
});

// Live countdowns (待响应): a row with data-deadline (RFC 3339) shows in its
// td.countdown the time left to the second, "剩余 m:ss", or past it
// "已超时 m:ss" (the words come from its table's data-left and data-over),
// and keeps data-state current: running, near (from data-near on) or
// breached (a second past the deadline: a reply at the deadline is on
// time). data-now is the server's time when the row was rendered, so a
// browser whose clock is off counts from the server's. It runs every
// second, and at once when htmx brings new rows.
(function () {
  function pad(n) {
    return n < 10 ? "0" + n : String(n);
  }
  function clock(s) {
    if (s >= 3600) {
      return Math.floor(s / 3600) + ":" + pad(Math.floor((s % 3600) / 60)) + ":" + pad(s % 60);
    }
    return Math.floor(s / 60) + ":" + pad(s % 60);
  }
  function tick() {
    var now = Date.now();
    document.querySelectorAll("tr[data-deadline]").forEach(function (row) {
      if (row.kefuSkew === undefined) {
        var server = Date.parse(row.dataset.now || "");
        row.kefuSkew = isNaN(server) ? 0 : server - now;
      }
      var t = now + row.kefuSkew;
      var deadline = Date.parse(row.dataset.deadline);
      if (isNaN(deadline)) {
        return;
      }
      var near = row.dataset.near ? Date.parse(row.dataset.near) : NaN;
      var left = Math.trunc((deadline - t) / 1000);
      var state = left < 0 ? "breached" : !isNaN(near) && t >= near ? "near" : "running";
      var table = row.closest("table");
      var words = table ? table.dataset : {};
      var cell = row.querySelector("td.countdown");
      if (cell) {
        var text = (state === "breached" ? words.over || "-" : words.left || "") + " " + clock(Math.abs(left));
        if (cell.textContent !== text) {
          cell.textContent = text;
        }
      }
      if (row.dataset.state !== state) {
        row.dataset.state = state;
      }
    });
  }
  setInterval(tick, 1000);
  document.addEventListener("htmx:afterSettle", tick);
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", tick);
  } else {
    tick();
  }
})();

// 待响应's reply (已回复/已回拨): the page carries one form, in
// <template id="queue-reply">; opening a row's <details data-reply> copies
// it in with the row's data-clock-key and the time now in the company's
// zone — the template's data-now (the server's, as datetime-local) plus
// the time since the page was loaded. Opened again later, a copied form
// keeps what was typed and takes the time then (a reply's time is what
// its clock is measured by). A row whose reply failed comes with its own
// form, which is left as it is.
(function () {
  var loaded = Date.now();
  document.addEventListener("click", function (e) {
    var summary = e.target.closest("details[data-reply] > summary");
    var details = summary && summary.parentNode;
    var tpl = document.getElementById("queue-reply");
    var row = details && details.closest("tr[data-clock-key]");
    if (!row || !tpl || details.open) {
      return;
    }
    var form = details.querySelector("form");
    if (!form) {
      details.appendChild(tpl.content.cloneNode(true));
      form = details.querySelector("form");
      form.dataset.copied = "1";
      form.querySelector("input[name=key]").value = row.dataset.clockKey;
    } else if (!form.dataset.copied) {
      return;
    }
    var base = Date.parse((tpl.dataset.now || "") + "Z");
    if (!isNaN(base)) {
      var now = new Date(base + Date.now() - loaded).toISOString().slice(0, 19);
      var at = form.querySelector("input[name=occurred_at]");
      at.value = now;
      at.max = now;
    }
  });
})();

// Polled rows that hold a form (待响应's 已回复/已回拨): while one of its
// <details> is open, a tbody with data-hold-open skips htmx's refresh, so
// the form being typed in is not swapped away.
document.addEventListener("htmx:beforeRequest", function (e) {
  var el = e.detail && e.detail.elt;
  if (el && el.hasAttribute && el.hasAttribute("data-hold-open") && el.querySelector("details[open]")) {
    e.preventDefault();
  }
});

// Export links of a filtered list (data-export inside the filter form):
// the filter may have changed by htmx since the page was rendered, so the
// link takes the form's current values when clicked.
document.addEventListener("click", function (e) {
  var a = e.target.closest("a[data-export]");
  var form = a && a.closest("form");
  if (!form) {
    return;
  }
  var params = new URLSearchParams();
  new FormData(form).forEach(function (v, k) {
    if (v !== "") {
      params.append(k, v);
    }
  });
  a.href = a.pathname + (params.toString() ? "?" + params.toString() : "");
});

/* SalingJaga progressive enhancement (hand-written, no dependencies). Every page works
   without it; with it: forms marked data-swap update part of the page in place, lists
   marked data-refresh reload themselves, the decision form previews its statement of
   reasons, and keyboard shortcuts (data-key) drive the console. */
(function () {
  "use strict";
  function swapFrom(html, selector) {
    var doc = new DOMParser().parseFromString(html, "text/html");
    var fresh = doc.querySelector(selector), old = document.querySelector(selector);
    if (!fresh || !old) return false;
    old.replaceWith(document.importNode(fresh, true));
    return true;
  }
  function fetchPage(url, opts) {
    opts = opts || {};
    opts.headers = Object.assign({"SJ-Fetch": "1"}, opts.headers || {});
    opts.credentials = "same-origin";
    return fetch(url, opts).then(function (r) { return r.text().then(function (t) { return [r, t]; }); });
  }
  document.addEventListener("submit", function (ev) {
    var form = ev.target, sel = form.getAttribute("data-swap");
    if (!sel || !window.fetch) return;
    ev.preventDefault();
    form.classList.add("busy");
    var method = (form.getAttribute("method") || "get").toUpperCase(), body = new FormData(form);
    // getAttribute, not form.action: a field named "action" would shadow the property.
    var url = new URL(form.getAttribute("action") || window.location.pathname, window.location.href).href;
    if (method === "GET") { url += (url.indexOf("?") < 0 ? "?" : "&") + new URLSearchParams(body); body = undefined; }
    fetchPage(url, {method: method, body: body}).then(function (res) {
      if (!swapFrom(res[1], sel)) { window.location.href = res[0].url; return; }
      if (method === "GET") history.replaceState(null, "", res[0].url);
    }).catch(function () { form.submit(); }).finally(function () { form.classList.remove("busy"); });
  });
  // The phone menu.
  document.querySelectorAll(".menu-toggle").forEach(function (btn) {
    btn.addEventListener("click", function () {
      var bar = btn.closest(".topbar"), open = !bar.classList.contains("open");
      bar.classList.toggle("open", open);
      btn.setAttribute("aria-expanded", open ? "true" : "false");
    });
  });
  // Destructive actions ask first (data-confirm holds the question, in the page's language).
  document.addEventListener("submit", function (ev) {
    var form = ev.target, btn = ev.submitter || form.querySelector("[data-confirm]");
    var question = (btn && btn.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (question && !window.confirm(question)) { ev.preventDefault(); ev.stopImmediatePropagation(); }
  }, true);
  // A form being sent is busy: its buttons are disabled (no double submit) and say so; a
  // form with files shows a progress bar until the next page arrives.
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    if (ev.defaultPrevented || form.getAttribute("data-swap")) return;
    var busy = form.querySelector("[data-busy]");
    form.querySelectorAll("button[type=submit], button:not([type])").forEach(function (b) {
      setTimeout(function () { b.disabled = true; b.setAttribute("aria-busy", "true"); }, 0);
    });
    if (busy) { busy.setAttribute("data-label", busy.textContent); setTimeout(function () { busy.textContent = busy.getAttribute("data-busy"); }, 0); }
    var files = form.querySelector("input[type=file]");
    if (files && files.files && files.files.length) {
      // An indeterminate bar while the files upload (the page is replaced when done).
      var bar = document.createElement("progress");
      bar.className = "progress";
      bar.setAttribute("aria-label", busy ? busy.getAttribute("data-busy") : "");
      (busy || form).after(bar);
    }
  });
  // Countdowns to a deadline or the end of a lease, refreshed each minute.
  function countdowns() {
    document.querySelectorAll("[data-countdown]").forEach(function (el) {
      var left = Math.round((new Date(el.getAttribute("data-countdown")) - new Date()) / 60000);
      var lang = document.documentElement.lang, out = el.nextElementSibling;
      if (!out || !out.classList.contains("countdown")) { out = document.createElement("span"); out.className = "countdown small"; el.after(out); }
      var h = Math.floor(Math.abs(left) / 60), m = Math.abs(left) % 60, span = (h ? h + (lang === "id" ? " jam " : " h ") : "") + m + (lang === "id" ? " menit" : " min");
      out.textContent = " (" + (left >= 0 ? (lang === "id" ? "sisa " : "") + span + (lang === "id" ? "" : " left") : (lang === "id" ? "lewat " : "") + span + (lang === "id" ? "" : " ago")) + ")";
      if (left < 0) out.classList.add("overdue");
    });
  }
  countdowns(); setInterval(countdowns, 60000);
  function preview(form) {
    var target = form.getAttribute("data-preview-target"), data = new FormData(form);
    data.delete("csrf_token");
    fetchPage(form.getAttribute("data-preview") + "?" + new URLSearchParams(data)).then(function (res) {
      swapFrom(res[1], target);
    });
  }
  document.addEventListener("change", function (ev) {
    var form = ev.target.form;
    if (form && form.hasAttribute("data-preview")) preview(form);
  });
  document.querySelectorAll("[data-refresh]").forEach(function (el) {
    var every = parseInt(el.getAttribute("data-refresh"), 10) * 1000;
    setInterval(function () {
      if (document.hidden || !el.id) return;
      fetchPage(window.location.href).then(function (res) { swapFrom(res[1], "#" + el.id); });
    }, every);
  });
  document.addEventListener("click", function (ev) {
    var back = ev.target.closest("[data-back]");
    if (back && history.length > 1) { ev.preventDefault(); history.back(); return; }
    var row = ev.target.closest("tr[data-href]");
    if (row && !ev.target.closest("a, button, input, select, textarea")) window.location.href = row.getAttribute("data-href");
  });
  function rows() { return Array.prototype.slice.call(document.querySelectorAll("tr[data-row]")); }
  function move(step) {
    var all = rows(), cur = all.findIndex(function (r) { return r.classList.contains("selected"); });
    if (!all.length) return;
    var next = Math.max(0, Math.min(all.length - 1, cur + step));
    if (cur >= 0) all[cur].classList.remove("selected");
    all[next].classList.add("selected");
    all[next].scrollIntoView({block: "nearest"});
  }
  document.addEventListener("keydown", function (ev) {
    var t = ev.target;
    if (ev.ctrlKey || ev.metaKey || ev.altKey || (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName)))) return;
    var key = ev.key;
    if (key === "j") { move(1); ev.preventDefault(); return; }
    if (key === "k") { move(-1); ev.preventDefault(); return; }
    if (key === "Enter" || key === "o") {
      var sel = document.querySelector("tr[data-row].selected");
      if (sel && sel.getAttribute("data-href")) { window.location.href = sel.getAttribute("data-href"); ev.preventDefault(); }
      return;
    }
    if (key === "?") { var lg = document.querySelector("[data-legend]"); if (lg) lg.hidden = !lg.hidden; return; }
    var el = document.querySelector('[data-key="' + (key.length === 1 ? key : "") + '"]');
    if (!el) return;
    ev.preventDefault();
    if (el.type === "radio" || el.type === "checkbox") {
      el.checked = true;
      el.dispatchEvent(new Event("change", {bubbles: true}));
      var focus = el.form && el.form.querySelector("[data-key-focus]");
      if (focus) focus.focus();
    } else { el.click(); }
  });
})();

// portaflow ui: live updates of the part of a page marked data-live, over server-sent events (polling the
// same URL's fragments when EventSource is missing), and forms that cannot be sent twice by a double click.
// Hand-written, no dependencies: the page loads nothing from the network but its own server.
"use strict";

(function () {
  function openDetails(root) {
    var keys = new Set();
    root.querySelectorAll("details[data-key][open]").forEach(function (d) { keys.add(d.dataset.key); });
    return keys;
  }

  function busy(root) {
    // the user is typing an answer here: an update would wipe it
    var active = document.activeElement;
    if (active && root.contains(active) && /^(TEXTAREA|INPUT|SELECT)$/.test(active.tagName)) return true;
    return Array.prototype.some.call(root.querySelectorAll("textarea"), function (t) { return t.value.trim() !== ""; });
  }

  function apply(root, html) {
    var keep = openDetails(root);
    root.innerHTML = html;
    root.querySelectorAll("details[data-key]").forEach(function (d) {
      if (keep.has(d.dataset.key)) d.open = true;
    });
    guardForms(root);
  }

  function live(root) {
    var url = root.dataset.live;
    var pending = null;
    var badge = document.createElement("div");
    badge.className = "live-state";
    badge.textContent = "live";
    document.body.appendChild(badge);

    function update(html) {
      if (busy(root)) { pending = html; return; }
      pending = null;
      apply(root, html);
    }
    setInterval(function () { if (pending !== null) update(pending); }, 1000);

    if (window.EventSource) {
      var source = new EventSource(url);
      source.addEventListener("update", function (e) { update(JSON.parse(e.data).html); });
      source.onopen = function () { badge.classList.add("on"); badge.textContent = "live"; };
      source.onerror = function () { badge.classList.remove("on"); badge.textContent = "reconnecting"; };
      window.addEventListener("beforeunload", function () { source.close(); });
    } else {
      badge.textContent = "refreshing every 2s";
      setInterval(function () {
        fetch(url.replace("/live/", "/live-fragment/"), { credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.text() : null; })
          .then(function (html) { if (html !== null) update(html); });
      }, 2000);
    }
  }

  function guardForms(root) {
    root.querySelectorAll("form[method=post]").forEach(function (form) {
      if (form.dataset.guarded) return;
      form.dataset.guarded = "1";
      form.addEventListener("submit", function (e) {
        if (form.dataset.sent) { e.preventDefault(); return; }
        form.dataset.sent = "1";
        // the clicked button's name=value still goes with the form: disable the buttons after it is built
        setTimeout(function () {
          form.querySelectorAll("button").forEach(function (b) { b.disabled = true; });
        }, 0);
      });
    });
  }

  // a page restored by Back from the browser's cache has its sent forms' buttons disabled: draw it afresh
  window.addEventListener("pageshow", function (e) { if (e.persisted) window.location.reload(); });

  document.addEventListener("DOMContentLoaded", function () {
    guardForms(document);
    document.querySelectorAll("[data-live]").forEach(live);
  });
})();

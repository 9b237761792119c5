/* walletdesk agent console: small enhancements on top of pages that work without script.
 *
 * - Keyboard shortcuts (not while typing in a field): j/k select the next/previous case in
 *   the inbox, o or Enter opens it; r focuses the reply box, n the note box, a presses
 *   "Assign to me"; g then i goes to the inbox (the console's first page this person may
 *   open, from [data-home]: a risk reviewer's is the risk queue); / focuses the search;
 *   ? shows the help. (x, next risk case, is risk_review.js's.)
 * - [data-viewers] says "still viewing" every half TTL and shows who else is viewing.
 * - The presence select sends its form when changed.
 * - [data-once] forms send once.
 */
(function () {
  "use strict";

  var help = document.getElementById("shortcut-help");
  var frame = document.querySelector("[data-console]");
  var home = (frame && frame.getAttribute("data-home")) || "/console";
  var lastFocus = null;

  function showHelp(show) {
    if (!help) { return; }
    if (show) {
      lastFocus = document.activeElement;
      help.hidden = false;
      var close = help.querySelector("[data-help-close]");
      if (close) { close.focus(); }
    } else {
      help.hidden = true;
      if (lastFocus && lastFocus.focus) { lastFocus.focus(); }
    }
  }

  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }

  var rows = Array.prototype.slice.call(document.querySelectorAll("[data-case-row]"));
  var selected = -1;

  function select(index) {
    if (!rows.length) { return; }
    if (selected >= 0) { rows[selected].classList.remove("selected"); }
    selected = Math.max(0, Math.min(rows.length - 1, index));
    rows[selected].classList.add("selected");
    var link = rows[selected].querySelector("[data-case-link]");
    if (link) { link.focus(); }
  }

  function focusField(selector) {
    var field = document.querySelector(selector);
    if (field) {
      var box = field.closest("details");
      if (box) { box.open = true; }
      field.focus();
      field.scrollIntoView({ block: "center" });
    }
  }

  var pendingG = false;

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "Escape") {
      if (help && !help.hidden) { showHelp(false); return; }
      if (typing(event.target)) { event.target.blur(); }
      return;
    }
    if (typing(event.target)) { return; }
    var key = event.key;
    if (pendingG) {
      pendingG = false;
      if (key === "i") { window.location.href = home; event.preventDefault(); }
      return;
    }
    if (key === "?") { showHelp(help ? help.hidden : false); event.preventDefault(); return; }
    if (help && !help.hidden) { return; }
    if (key === "j") { select(selected + 1); event.preventDefault(); }
    else if (key === "k") { select(selected - 1); event.preventDefault(); }
    else if ((key === "o" || key === "Enter") && selected >= 0) {
      var link = rows[selected].querySelector("[data-case-link]");
      if (link) { window.location.href = link.href; event.preventDefault(); }
    }
    else if (key === "r") { focusField("[data-reply]"); event.preventDefault(); }
    else if (key === "n") { focusField("[data-note]"); event.preventDefault(); }
    else if (key === "a") {
      var take = document.querySelector("form[data-take]");
      if (take) { take.requestSubmit(); event.preventDefault(); }
    }
    else if (key === "/") { focusField("[data-search]"); event.preventDefault(); }
    else if (key === "g") { pendingG = true; }
  });

  document.querySelectorAll("[data-help-open]").forEach(function (button) {
    button.addEventListener("click", function () { showHelp(true); });
  });
  document.querySelectorAll("[data-help-close]").forEach(function (button) {
    button.addEventListener("click", function () { showHelp(false); });
  });

  var presence = document.querySelector("form[data-presence]");
  if (presence) {
    var choice = presence.querySelector("select");
    choice.addEventListener("change", function () { presence.requestSubmit(); });
  }

  document.querySelectorAll("form[data-once]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent === "1") { event.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  });

  var viewers = document.querySelector("[data-viewers]");
  if (viewers) {
    var url = viewers.getAttribute("data-viewers");
    var token = viewers.getAttribute("data-csrf");
    var every = 30000;
    var ping = function () {
      var body = new URLSearchParams();
      body.set("csrf_token", token);
      fetch(url, { method: "POST", credentials: "same-origin", body: body,
        headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("status " + response.status); }
          return response.json();
        })
        .then(function (answer) {
          every = Math.max(5000, (answer.ttl_seconds || 60) * 500);
          var others = answer.viewers.filter(function (v) { return !v.me; });
          viewers.textContent = "";
          if (!others.length) {
            viewers.textContent = viewers.getAttribute("data-alone");
          } else {
            viewers.appendChild(document.createTextNode(viewers.getAttribute("data-others") + " "));
            others.forEach(function (v) {
              var name = document.createElement("span");
              name.className = "viewer";
              name.textContent = v.name;
              viewers.appendChild(name);
            });
          }
          window.setTimeout(ping, every);
        })
        .catch(function () { window.setTimeout(ping, 60000); });
    };
    window.setTimeout(ping, every);
  }
}());

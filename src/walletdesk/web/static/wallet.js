/* walletdesk wallet pages: small enhancements on top of pages that work without script.
 *
 * - [data-once] forms send once: the button is disabled after the first submit (the server
 *   is safe against a second one anyway: each form carries its own key).
 * - [data-poll] asks its status URL every 2 seconds and reloads the page when the answer
 *   is in; after about 3 minutes it stops and shows [data-poll-note].
 * - [data-countdown] counts the seconds a price holds; at zero the confirm button is
 *   disabled and [data-expired-note] shown (the server refuses an expired quote too).
 * - [data-tour] shows its steps one at a time with Back and Next (a button that becomes
 *   disabled hands the focus on, so a keyboard user never loses their place); Escape, pressed while the
 *   focus is inside the tour, closes it the way its close button does (the form posts, so
 *   the server remembers it).
 */
(function () {
  "use strict";

  function once(form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent === "1") {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "1";
      form.setAttribute("aria-busy", "true");
      var buttons = form.querySelectorAll("button[type=submit]");
      window.setTimeout(function () {
        buttons.forEach(function (button) { button.disabled = true; });
      }, 0);
    });
  }

  var WAITING = ["processing", "paying"];

  function poll(region) {
    var url = region.getAttribute("data-poll");
    var tries = 0;
    function ask() {
      tries += 1;
      if (tries > 90) {
        var note = region.querySelector("[data-poll-note]");
        if (note) { note.hidden = false; }
        return;
      }
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (response) {
          if (!response.ok) { throw new Error("status " + response.status); }
          return response.json();
        })
        .then(function (body) {
          if (WAITING.indexOf(body.status) === -1) {
            window.location.reload();
          } else {
            window.setTimeout(ask, 2000);
          }
        })
        .catch(function () { window.setTimeout(ask, 5000); });
    }
    window.setTimeout(ask, 2000);
  }

  function countdown(box) {
    var left = parseInt(box.getAttribute("data-countdown"), 10) || 0;
    var shown = box.querySelector("[data-seconds]");
    var card = box.closest("[data-quote]") || document;
    function expire() {
      box.hidden = true;
      var note = card.querySelector("[data-expired-note]");
      if (note) { note.hidden = false; }
      card.querySelectorAll("[data-quote-confirm] button").forEach(function (button) {
        button.disabled = true;
      });
      var again = card.querySelector(".requote button");
      if (again) { again.classList.add("primary"); again.focus(); }
    }
    if (left <= 0) { expire(); return; }
    var timer = window.setInterval(function () {
      left -= 1;
      if (shown) { shown.textContent = String(Math.max(left, 0)); }
      if (left <= 0) {
        window.clearInterval(timer);
        expire();
      }
    }, 1000);
  }

  function closeOnEscape(box) {
    var close = box.querySelector(".tour-close");
    if (!close) { return; }
    box.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || close.dataset.sent === "1") { return; }
      event.preventDefault();
      close.dataset.sent = "1";
      close.submit();
    });
  }

  function tour(box) {
    closeOnEscape(box);
    var steps = Array.prototype.slice.call(box.querySelectorAll("[data-step]"));
    var nav = box.querySelector("[data-tour-nav]");
    if (!nav || steps.length < 2) { return; }
    var back = nav.querySelector("[data-tour-back]");
    var next = nav.querySelector("[data-tour-next]");
    var count = nav.querySelector("[data-tour-count]");
    var finish = box.querySelector(".tour-close button");
    var at = 0;
    function show(index) {
      at = Math.max(0, Math.min(index, steps.length - 1));
      steps.forEach(function (step, i) { step.hidden = i !== at; });
      var focused = document.activeElement;
      back.disabled = at === 0;
      next.disabled = at === steps.length - 1;
      count.textContent = (at + 1) + " / " + steps.length;
      // A button disabled under the keyboard's focus drops it to the page's start: on the last
      // step the focus goes on to "close the tour", on the first back to Next.
      if (focused === next && next.disabled) { (finish || back).focus(); }
      if (focused === back && back.disabled) { next.focus(); }
    }
    back.addEventListener("click", function () { show(at - 1); });
    next.addEventListener("click", function () { show(at + 1); });
    nav.hidden = false;
    box.classList.add("tour-stepped");
    show(0);
  }

  function start() {
    document.querySelectorAll("form[data-once]").forEach(once);
    document.querySelectorAll("[data-poll]").forEach(poll);
    document.querySelectorAll("[data-countdown]").forEach(countdown);
    document.querySelectorAll("[data-tour]").forEach(tour);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();

/* walletdesk admin configuration pages: small enhancements on top of forms that work without
 * script (the server validates everything again).
 *
 * - form[data-confirm] asks before it is sent (limits, fees and rates move money). This file
 *   loads before console.js, so a cancelled form is not marked sent by its data-once.
 * - Inputs inside [data-minutes-units] show the minutes typed as days, hours and minutes
 *   beside the field, in the words that attribute gives ("d h min" or "天 小时 分钟").
 */
(function () {
  "use strict";

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) {
        event.preventDefault();
        event.stopImmediatePropagation(); // console.js's data-once must not count this one
      }
    });
  });

  function spelled(total, units) {
    var days = Math.floor(total / 1440);
    var hours = Math.floor((total % 1440) / 60);
    var minutes = total % 60;
    var parts = [];
    if (days) { parts.push(days + " " + units[0]); }
    if (hours) { parts.push(hours + " " + units[1]); }
    if (minutes || !parts.length) { parts.push(minutes + " " + units[2]); }
    return parts.join(" ");
  }

  document.querySelectorAll("[data-minutes-units] input").forEach(function (input) {
    var shown = document.createElement("output");
    shown.className = "hint minutes-spelled";
    shown.setAttribute("for", input.id);
    shown.setAttribute("aria-live", "polite");
    input.insertAdjacentElement("afterend", shown);
    var box = input.closest("[data-minutes-units]");
    var units = ((box && box.getAttribute("data-minutes-units")) || "d h min").split(" ");
    function update() {
      var text = input.value.trim();
      shown.textContent = /^\d{1,7}$/.test(text) ? "= " + spelled(parseInt(text, 10), units) : "";
    }
    input.addEventListener("input", update);
    update();
  });
}());

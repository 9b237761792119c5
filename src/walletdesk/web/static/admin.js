/* walletdesk admin pages: small enhancements on top of forms that work without script.
 *
 * - form[data-confirm] asks before it is sent (deactivate, roll back, unpublish, retire).
 * - A refused rule file ("... at line 12: ...") puts the cursor on that line of the editor.
 */
(function () {
  "use strict";

  document.querySelectorAll("form[data-confirm]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.confirm(form.getAttribute("data-confirm"))) { event.preventDefault(); }
    });
  });

  var error = document.querySelector("[data-rule-error]");
  var source = document.getElementById("source");
  if (error && source) {
    var found = /(\d+)/.exec(error.textContent);
    if (found) {
      var line = parseInt(found[1], 10);
      var lines = source.value.split("\n");
      var start = 0;
      for (var i = 0; i < line - 1 && i < lines.length; i += 1) { start += lines[i].length + 1; }
      var end = start + (lines[line - 1] || "").length;
      source.focus();
      source.setSelectionRange(start, end);
      var height = source.scrollHeight / Math.max(lines.length, 1);
      source.scrollTop = Math.max(0, (line - 5) * height);
    }
  }
}());

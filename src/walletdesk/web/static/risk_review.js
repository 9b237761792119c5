/* walletdesk risk review pages: small enhancements on top of pages that work without script
 * (console.js already gives j/k/o on the queue, [data-once] forms and the shortcut help).
 *
 * - A refused action form brings its first invalid field into view and focuses it, so the
 *   reviewer sees the message and keeps typing.
 * - "x" (not while typing) presses "Next case" on the queue.
 */
(function () {
  "use strict";

  var invalid = document.querySelector(".risk-action [aria-invalid='true'], .risk-action .error");
  if (invalid) {
    var form = invalid.closest("form");
    var target = form.querySelector("[aria-invalid='true']") || form.querySelector("[data-comment]");
    form.scrollIntoView({ block: "center" });
    if (target) { target.focus(); }
  }

  var next = document.querySelector("[data-next-case]");
  if (next) {
    document.addEventListener("keydown", function (event) {
      if (event.ctrlKey || event.metaKey || event.altKey || event.key !== "x") { return; }
      var tag = event.target && event.target.tagName;
      if (tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT") { return; }
      event.preventDefault();
      next.form.requestSubmit();
    });
  }
}());

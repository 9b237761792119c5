// The supervisor dashboard: refresh the live queue table from /console/dashboard/queues.json
// every few seconds (data-refresh on the page). Without script the page shows the queues as
// of its loading. Text goes in with textContent only: nothing from the server becomes markup.
(function () {
  "use strict";
  var page = document.querySelector("[data-dashboard]");
  // Typing a date means "my own dates": tick that choice so "Show" uses them.
  var custom = document.querySelector('input[name="period"][value="custom"]');
  ["dash-from", "dash-to"].forEach(function (id) {
    var field = document.getElementById(id);
    if (field && custom) {
      field.addEventListener("change", function () {
        custom.checked = true;
      });
    }
  });
  var table = document.querySelector("[data-live-queues]");
  if (!page || !table) {
    return;
  }
  var status = document.querySelector("[data-live-status]");
  var seconds = parseInt(page.getAttribute("data-refresh"), 10) || 30;
  var empty = "\u2014";

  function cell(tag, value) {
    var element = document.createElement(tag);
    if (tag === "th") {
      element.setAttribute("scope", "row");
    }
    element.textContent = value === null || value === undefined ? empty : String(value);
    return element;
  }

  function show(board) {
    var body = document.createElement("tbody");
    board.queues.forEach(function (queue) {
      var row = document.createElement("tr");
      row.appendChild(cell("th", queue.name));
      row.appendChild(cell("td", queue.waiting));
      row.appendChild(cell("td", queue.offered));
      row.appendChild(cell("td", queue.oldest_wait_minutes));
      body.appendChild(row);
    });
    table.replaceChild(body, table.tBodies[0]);
    if (status) {
      status.textContent = board.status;
    }
  }

  function refresh() {
    if (document.hidden) {
      return;
    }
    fetch("/console/dashboard/queues.json", {
      credentials: "same-origin",
      headers: { Accept: "application/json" },
    })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (board) {
        if (board) {
          show(board);
        }
      })
      .catch(function () {
        // Offline for a moment: keep the last figures and try again at the next tick.
      });
  }

  window.setInterval(refresh, seconds * 1000);
})();

/* walletdesk chat widget: a launcher and a panel on every wallet and help-centre page.
 *
 * Every word shown comes from the server in the page's language (data-t-* attributes on
 * [data-chat-widget], and the JSON of /chat-widget/...); this file holds no user-facing text.
 * Writes go to the same-origin /chat-widget/... routes with the page's CSRF token; live
 * messages, typing and read receipts come over the conversation's socket, opened with a
 * single-use ticket. Without the socket the widget still works: each post returns what is new.
 */
(function () {
  "use strict";

  var STORE = "wd-chat-conversation";

  function start(root) {
    var panel = root.querySelector("[data-chat-panel]");
    var opener = root.querySelector("[data-chat-open]");
    var closer = root.querySelector("[data-chat-close]");
    var hoursBox = root.querySelector("[data-chat-hours]");
    var handoffBox = root.querySelector("[data-chat-handoff]");
    var agentBox = root.querySelector("[data-chat-agent]");
    var log = root.querySelector("[data-chat-log]");
    var typingBox = root.querySelector("[data-chat-typing]");
    var offerBox = root.querySelector("[data-chat-offer]");
    var ratingForm = root.querySelector("[data-chat-rating]");
    var errorBox = root.querySelector("[data-chat-error]");
    var form = root.querySelector("[data-chat-form]");
    var humanButton = root.querySelector("[data-chat-human]");
    var t = root.dataset;
    var signedIn = t.signedIn === "1";
    var state = {
      conversation: null, caseId: null, last: 0, seen: {}, rateable: {}, readUpTo: 0,
      socket: null, retries: 0, typingSent: 0, typingTimer: null, loaded: false, rated: false
    };

    function text(key) { return t[key] || ""; }

    function showError(message) {
      if (!errorBox) { return; }
      errorBox.textContent = message || "";
      errorBox.hidden = !message;
    }

    function request(method, path, fields) {
      var options = { method: method, credentials: "same-origin", headers: { Accept: "application/json" } };
      if (method === "POST") {
        var body = new URLSearchParams();
        body.set("csrf_token", t.csrf);
        Object.keys(fields || {}).forEach(function (key) { body.set(key, String(fields[key])); });
        options.body = body;
      }
      return fetch(path, options).then(function (response) {
        return response.json().catch(function () { return {}; }).then(function (json) {
          if (!response.ok) {
            var message = json && json.error ? json.error.message : text("tFailed");
            throw new Error(message);
          }
          return json;
        });
      });
    }

    function authorLabel(author) {
      if (author.kind === "contact") { return text("tYou"); }
      if (author.kind === "bot") { return text("tAssistant"); }
      if (author.kind === "agent") { return author.name || text("tAgent"); }
      return text("tSystem");
    }

    function addMessage(message) {
      if (!log || !message || state.seen[message.id]) { return; }
      var author = message.author || { kind: message.author_kind };
      var item = document.createElement("li");
      item.className = "chat-msg chat-from-" + author.kind;
      item.dataset.messageId = String(message.id);
      item.dataset.author = author.kind;
      var who = document.createElement("span");
      who.className = "chat-who";
      who.textContent = authorLabel(author);
      var body = document.createElement("p");
      body.className = "chat-text";
      body.textContent = message.text;
      item.appendChild(who);
      item.appendChild(body);
      log.appendChild(item);
      state.seen[message.id] = item;
      state.last = Math.max(state.last, message.id);
      if (state.rateable[message.id]) { addThumbs(item, message.id); }
      if (author.kind !== "contact") { typingBox.hidden = true; sendRead(); }
      log.scrollTop = log.scrollHeight;
    }

    function addThumbs(item, messageId) {
      if (item.querySelector(".chat-thumbs")) { return; }
      var box = document.createElement("div");
      box.className = "chat-thumbs";
      [["1", text("tHelpful")], ["0", text("tNotHelpful")]].forEach(function (choice) {
        var button = document.createElement("button");
        button.type = "button";
        button.textContent = choice[1];
        button.setAttribute("aria-pressed", "false");
        button.addEventListener("click", function () {
          request("POST", base() + "/answers/" + messageId + "/feedback", { helpful: choice[0] })
            .then(function () {
              box.querySelectorAll("button").forEach(function (b) { b.setAttribute("aria-pressed", "false"); });
              button.setAttribute("aria-pressed", "true");
              var note = box.querySelector(".chat-thanks") || document.createElement("span");
              note.className = "chat-thanks";
              note.setAttribute("role", "status");
              note.textContent = text("tThanksFeedback");
              box.appendChild(note);
            })
            .catch(function (error) { showError(error.message); });
        });
        box.appendChild(button);
      });
      item.appendChild(box);
    }

    function markRead(upTo) {
      if (!log || upTo <= state.readUpTo) { return; }
      state.readUpTo = upTo;
      log.querySelectorAll(".chat-read").forEach(function (mark) { mark.remove(); });
      var mine = log.querySelectorAll('[data-author="contact"]');
      for (var i = mine.length - 1; i >= 0; i -= 1) {
        if (parseInt(mine[i].dataset.messageId, 10) <= upTo) {
          var mark = document.createElement("span");
          mark.className = "chat-read";
          mark.textContent = text("tRead");
          mine[i].appendChild(mark);
          return;
        }
      }
    }

    function base() { return "/chat-widget/conversations/" + encodeURIComponent(state.conversation); }

    function apply(view) {
      if (view.conversation_id !== state.conversation) {
        state.conversation = view.conversation_id;
        state.last = 0;
        try { window.sessionStorage.setItem(STORE, view.conversation_id); } catch (e) { /* private mode */ }
        connect();
      }
      state.caseId = view.case_id;
      (view.rateable || []).forEach(function (id) {
        state.rateable[id] = true;
        if (state.seen[id]) { addThumbs(state.seen[id], id); }
      });
      (view.messages || []).forEach(addMessage);
      (view.read || []).forEach(function (mark) {
        if (mark.reader.kind !== "contact") { markRead(mark.up_to); }
      });
      if (view.hours) { hoursBox.textContent = view.hours.text; }
      var handoff = view.handoff || { state: "bot" };
      handoffBox.textContent = handoff.text || "";
      handoffBox.hidden = handoff.state === "bot";
      handoffBox.dataset.state = handoff.state;
      if (view.offer) {
        var button = offerBox.querySelector("[data-chat-confirm]");
        button.textContent = view.offer.label;
        button.dataset.tool = view.offer.tool;
        offerBox.hidden = false;
      } else {
        offerBox.hidden = true;
      }
      if (!state.rated) { ratingForm.hidden = !(view.rating && view.rating.can_rate); }
      if (view.more) { refresh(); }
    }

    function refresh() {
      if (!state.conversation) { return Promise.resolve(); }
      return request("GET", base() + "?after=" + state.last)
        .then(apply)
        .catch(function (error) { showError(error.message); });
    }

    function forget() {
      state.conversation = null;
      try { window.sessionStorage.removeItem(STORE); } catch (e) { /* private mode */ }
    }

    // -- the socket --------------------------------------------------------------------

    function connect() {
      if (state.socket) { state.socket.onclose = null; state.socket.close(); state.socket = null; }
      if (!state.conversation || !("WebSocket" in window)) { return; }
      var conversation = state.conversation;
      request("POST", base() + "/ticket", {}).then(function (ticket) {
        if (conversation !== state.conversation) { return; }
        var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
        var url = scheme + window.location.host + ticket.path + "?ticket=" + encodeURIComponent(ticket.ticket);
        var socket = new WebSocket(url, ["walletdesk.chat.v1"]);
        state.socket = socket;
        socket.onopen = function () { state.retries = 0; };
        socket.onmessage = function (event) { onFrame(JSON.parse(event.data)); };
        socket.onclose = function (event) {
          state.socket = null;
          if (event.code === 4401 || event.code === 4403 || event.code === 4404) { return; }
          state.retries += 1;
          if (state.retries <= 5) { window.setTimeout(connect, 1000 * state.retries); }
        };
      }).catch(function () { /* the widget still works over REST */ });
    }

    // The case's agent as the server shows them to the customer: a name and a status only.
    function showAgent(agent) {
      if (!agentBox) { return; }
      var key = agent ? { online: "agentOnline", away: "agentAway", offline: "agentOffline" }[agent.status] : null;
      agentBox.textContent = key ? text(key).replace("{name}", agent.name) : "";
      agentBox.hidden = !key;
    }

    function onFrame(frame) {
      if (frame.type === "ready") {
        showAgent(frame.agent);
        if (frame.last_message_id > state.last) { refresh(); }
        (frame.read || []).forEach(function (mark) {
          if (mark.reader.kind !== "contact") { markRead(mark.up_to); }
        });
        if (frame.hours) { hoursBox.textContent = frame.hours.text; }
      } else if (frame.type === "message") {
        addMessage(frame.message);
        refresh();  // the assistant's offer, thumbs and hand-off come with the state
      } else if (frame.type === "typing") {
        typingBox.hidden = !frame.typing;
      } else if (frame.type === "read") {
        if (frame.reader && frame.reader.kind !== "contact") { markRead(frame.up_to); }
      } else if (frame.type === "case") {
        refresh();
      } else if (frame.type === "presence") {
        showAgent(frame.agent);
      }
    }

    function sendFrame(frame) {
      if (state.socket && state.socket.readyState === 1) { state.socket.send(JSON.stringify(frame)); }
    }

    function sendRead() {
      if (!panel.hidden && state.last) { sendFrame({ type: "read", up_to: state.last }); }
    }

    function typing() {
      var now = Date.now();
      if (now - state.typingSent > 3000) {
        state.typingSent = now;
        sendFrame({ type: "typing", typing: true });
      }
      window.clearTimeout(state.typingTimer);
      state.typingTimer = window.setTimeout(function () {
        state.typingSent = 0;
        sendFrame({ type: "typing", typing: false });
      }, 4000);
    }

    // -- opening and closing --------------------------------------------------------------

    function open() {
      panel.hidden = false;
      opener.setAttribute("aria-expanded", "true");
      var field = root.querySelector("#chat-text");
      (field || closer).focus();
      if (state.loaded) { sendRead(); return; }
      state.loaded = true;
      request("GET", "/chat-widget/hours").then(function (hours) {
        if (!hoursBox.textContent) { hoursBox.textContent = hours.text; }
      }).catch(function () { /* the hours are a nicety */ });
      if (!signedIn) { return; }
      var saved = null;
      try { saved = window.sessionStorage.getItem(STORE); } catch (e) { saved = null; }
      if (saved) {
        state.conversation = saved;
        request("GET", base() + "?after=0")
          .then(function (view) { state.conversation = null; apply(view); })
          .catch(forget);
      }
    }

    function close() {
      panel.hidden = true;
      opener.setAttribute("aria-expanded", "false");
      opener.focus();
    }

    opener.addEventListener("click", function () { if (panel.hidden) { open(); } else { close(); } });
    closer.addEventListener("click", close);
    root.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && !panel.hidden) { event.preventDefault(); close(); }
    });
    if (!signedIn) { return; }

    function post(path, fields) {
      showError("");
      fields.after = state.last;
      return request("POST", path, fields).then(apply).catch(function (error) { showError(error.message); });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var field = form.elements.namedItem("text");
      var message = field.value.trim();
      if (!message) { field.focus(); return; }
      var button = form.querySelector("button[type=submit]");
      button.disabled = true;
      var path = state.conversation ? base() + "/messages" : "/chat-widget/conversations";
      post(path, { text: message }).then(function () {
        if (errorBox.hidden) { field.value = ""; }
        button.disabled = false;
        field.focus();
        sendFrame({ type: "typing", typing: false });
      });
    });
    form.elements.namedItem("text").addEventListener("input", typing);
    form.elements.namedItem("text").addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        form.requestSubmit();
      }
    });
    humanButton.addEventListener("click", function () {
      // The request is written in the page's language (data-t-ask-human), then handed off.
      var started = state.conversation
        ? Promise.resolve()
        : post("/chat-widget/conversations", { text: text("tAskHuman") });
      started.then(function () { if (state.conversation) { post(base() + "/handoff", {}); } });
    });
    offerBox.querySelector("[data-chat-confirm]").addEventListener("click", function (event) {
      post(base() + "/confirm", { tool: event.currentTarget.dataset.tool });
    });
    ratingForm.addEventListener("submit", function (event) {
      event.preventDefault();
      var chosen = ratingForm.querySelector("input[name=score]:checked");
      if (!chosen || !state.caseId) { return; }
      request("POST", "/chat-widget/cases/" + encodeURIComponent(state.caseId) + "/rating", {
        score: chosen.value,
        comment: ratingForm.elements.namedItem("comment").value
      }).then(function () {
        var done = document.createElement("p");
        done.setAttribute("role", "status");
        done.textContent = text("tRated");
        state.rated = true;
        ratingForm.hidden = true;
        ratingForm.after(done);
      }).catch(function (error) { showError(error.message); });
    });
  }

  document.querySelectorAll("[data-chat-widget]").forEach(start);
})();

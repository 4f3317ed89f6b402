// Saves each answer of a risk assessment the moment it is given. An answer that cannot be sent (no
// signal) is kept in this browser and sent when the connection returns, so nothing is lost. External
// file: the content security policy allows no inline script.
(function () {
  "use strict";
  var form = document.getElementById("assessment-form");
  if (!form) { return; }
  var url = form.getAttribute("data-answer-url");
  var storeKey = "vigil-risk-pending-" + form.getAttribute("data-assessment");
  var token = form.querySelector("[name=csrfmiddlewaretoken]").value;
  var status = document.getElementById("save-status");
  var inFlight = 0;
  var timers = {};

  function pending() {
    try { return JSON.parse(window.localStorage.getItem(storeKey) || "{}"); } catch (e) { return {}; }
  }
  function keep(all) {
    try { window.localStorage.setItem(storeKey, JSON.stringify(all)); } catch (e) { /* storage full or off */ }
  }
  function state() {
    var waiting = Object.keys(pending()).length;
    form.setAttribute("data-save-state", inFlight ? "saving" : (waiting ? "offline" : "saved"));
  }
  function obtained() {
    var chosen = form.querySelector("input[name=obtained]:checked");
    return chosen ? chosen.value : "asked_at_scene";
  }
  function say(id, text) {
    var element = document.getElementById(id);
    if (element) { element.textContent = text; }
  }

  function payloadFor(question) {
    if (question === "victim_view") {
      return { question: "victim_view", victim_view: document.getElementById("victim_view").value };
    }
    var chosen = form.querySelector("input[name='q-" + question + "']:checked");
    if (!chosen) { return null; }
    var options = [];
    form.querySelectorAll("input[name='options-" + question + "']:checked").forEach(function (box) {
      options.push(box.value);
    });
    var comment = document.getElementById("comment-" + question);
    return { question: question, value: chosen.value, obtained: obtained(), options: options,
             comment: comment ? comment.value : "" };
  }

  function send(question, payload) {
    var body = new FormData();
    Object.keys(payload).forEach(function (name) {
      if (name === "options") { payload.options.forEach(function (o) { body.append("options", o); }); }
      else { body.append(name, payload[name]); }
    });
    inFlight += 1;
    state();
    return fetch(url, { method: "POST", body: body, credentials: "same-origin",
                        headers: { "X-CSRFToken": token, "Accept": "application/json" } })
      .then(function (response) {
        return response.json().then(function (json) { return { ok: response.ok, json: json }; });
      })
      .then(function (result) {
        inFlight -= 1;
        var all = pending();
        delete all[question];
        keep(all);
        state();
        if (!result.ok) {
          say("status-" + question, "Not saved: " + JSON.stringify(result.json.errors || {}));
          return;
        }
        say("status-" + question, "Saved " + result.json.saved_at);
        say("save-status", "All answers saved at " + result.json.saved_at);
        say("yes-count", String(result.json.yes_count));
        if (result.json.sections_changed) { window.location.reload(); }
      })
      .catch(function () {
        inFlight -= 1;
        state();
        say("status-" + question, "Not sent yet: no connection. It is kept on this device and will be sent.");
      });
  }

  function save(question) {
    var payload = payloadFor(question);
    if (!payload) {
      say("status-" + question, "Choose yes, no or not known to save this answer");
      return;
    }
    var all = pending();
    all[question] = payload;
    keep(all);
    send(question, payload);
  }

  function questionOf(element) {
    if (element.id === "victim_view") { return "victim_view"; }
    var holder = element.closest(".vigil-question");
    return holder ? holder.getAttribute("data-question") : null;
  }

  form.addEventListener("change", function (event) {
    var question = questionOf(event.target);
    if (question) { clearTimeout(timers[question]); save(question); }
  });
  form.addEventListener("input", function (event) {
    if (event.target.tagName !== "TEXTAREA") { return; }
    var question = questionOf(event.target);
    if (!question) { return; }
    clearTimeout(timers[question]);
    timers[question] = setTimeout(function () { save(question); }, 800);
  });

  // Answers kept while offline: show them again, then send them.
  function resend() {
    var all = pending();
    Object.keys(all).forEach(function (question) { send(question, all[question]); });
  }
  var kept = pending();
  Object.keys(kept).forEach(function (question) {
    var saved = kept[question];
    if (saved.value) {
      var radio = form.querySelector("input[name='q-" + question + "'][value='" + saved.value + "']");
      if (radio) { radio.checked = true; }
    }
  });
  window.addEventListener("online", resend);
  window.addEventListener("pagehide", function () {
    Object.keys(timers).forEach(function (question) {
      clearTimeout(timers[question]);
      var payload = payloadFor(question);
      if (payload && navigator.sendBeacon) {
        var body = new FormData();
        body.append("csrfmiddlewaretoken", token);
        Object.keys(payload).forEach(function (name) {
          if (name === "options") { payload.options.forEach(function (o) { body.append("options", o); }); }
          else { body.append(name, payload[name]); }
        });
        navigator.sendBeacon(url, body);
      }
    });
  });
  resend();
  state();
})();

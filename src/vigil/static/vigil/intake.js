// Saves the call taker's intake as it is typed, so nothing is lost if the page is closed or the
// connection drops. An external file: the content security policy allows no inline script.
(function () {
  "use strict";
  var form = document.getElementById("intake-form");
  if (!form) { return; }
  var url = form.getAttribute("data-autosave-url");
  var status = document.getElementById("save-status");
  var timer = null;
  var dirty = false;
  var saving = false;

  function payload() {
    var data = new FormData(form);
    data.delete("action");
    return data;
  }

  function say(text) { if (status) { status.textContent = text; } }

  // data-save-state on the form: "saved", "dirty" (changes not yet sent) or "saving".
  function state() { form.setAttribute("data-save-state", saving ? "saving" : (dirty ? "dirty" : "saved")); }

  function save() {
    clearTimeout(timer);
    if (saving) { timer = setTimeout(save, 300); return; }  // still dirty: sent after this one
    saving = true;
    dirty = false;
    state();
    say("Saving…");
    fetch(url, {
      method: "POST", body: payload(), credentials: "same-origin",
      headers: { "X-CSRFToken": form.querySelector("[name=csrfmiddlewaretoken]").value, "Accept": "application/json" }
    }).then(function (response) {
      return response.json().then(function (body) { return { ok: response.ok, body: body }; });
    }).then(function (result) {
      saving = false;
      state();
      var errors = Object.keys(result.body.errors || {});
      if (errors.length) {
        var messages = errors.map(function (field) { return result.body.errors[field].join(" "); });
        say("Saved at " + result.body.saved_at + ", except: " + messages.join(" "));
      } else {
        say("Saved at " + result.body.saved_at);
      }
      if (result.body.history_changed) {
        document.body.dispatchEvent(new CustomEvent("vigil:history-changed"));
      }
    }).catch(function () {
      saving = false;
      dirty = true;
      state();
      say("Not saved yet: the connection was lost. Vigil will keep trying.");
      timer = setTimeout(save, 5000);
    });
  }

  form.addEventListener("input", function (event) {
    if (event.target.type === "radio") { return; }
    dirty = true;
    state();
    clearTimeout(timer);
    timer = setTimeout(save, 700);
  });
  form.addEventListener("change", function () { dirty = true; save(); });
  state();

  function flush() {
    if (dirty && navigator.sendBeacon) {
      navigator.sendBeacon(url, payload());
      dirty = false;
    }
  }
  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "hidden") { flush(); }
  });
  window.addEventListener("pagehide", flush);
  var personForm = document.getElementById("person-form");
  if (personForm) { personForm.addEventListener("submit", flush); }
})();

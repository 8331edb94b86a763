// The operator's desk (fankui.desk): keyboard shortcuts, send once, the emergency tick, answers from the knowledge.
// A file of its own: the Content-Security-Policy runs no inline script (docs/security.md).
(function () {
  "use strict";

  function ready(fn) {
    if (document.readyState !== "loading") fn();
    else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    var form = document.getElementById("desk-form");
    if (!form) return;
    var record = document.getElementById("desk-record");
    var answerNow = document.getElementById("desk-answer-now");
    var emergency = document.getElementById("id_emergency");
    var answer = document.getElementById("id_answer");
    var search = document.getElementById("desk-q");

    // Send once: a second Enter or click while the first is on its way does nothing (the server's idempotency key
    // would return the same case anyway). The buttons are not disabled: a disabled submitter is not sent.
    form.addEventListener("submit", function (event) {
      if (form.dataset.sending) {
        event.preventDefault();
        return;
      }
      form.dataset.sending = "1";
      form.classList.add("is-sending");
    });

    document.addEventListener("keydown", function (event) {
      // Ctrl+Enter records the call; Ctrl+Shift+Enter records it as answered at first contact.
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        var button = event.shiftKey && answerNow ? answerNow : record;
        if (form.requestSubmit) form.requestSubmit(button);
        else button.click();
        return;
      }
      if (!event.altKey || event.ctrlKey || event.metaKey) return;
      // event.code, not event.key: Alt with a letter types another character on some layouts.
      var letter = (event.code || "").replace("Key", "").toLowerCase();
      // Alt+V: phone call or visit at a service window.
      if (letter === "v") {
        var radios = form.querySelectorAll("input[name=channel]");
        if (radios.length) {
          event.preventDefault();
          var next = radios[0].checked ? radios[1] : radios[0];
          next.checked = true;
          next.focus();
        }
        return;
      }
      // Alt+N (new call), Alt+P (number), Alt+T (text), Alt+E (emergency), Alt+K (search replies), Alt+A (answer).
      var target = letter.length === 1 ? document.querySelector('[data-key="' + letter + '"]') : null;
      if (!target) return;
      event.preventDefault();
      if (target.tagName === "A") {
        window.location.assign(target.href);
      } else if (target.type === "checkbox") {
        target.checked = !target.checked;
        target.dataset.touched = "1";
        target.focus();
      } else {
        target.focus();
        if (target.select && target.type !== "textarea" && target.tagName !== "TEXTAREA") target.select();
      }
    });

    // The search of earlier replies answers Enter itself instead of sending the whole form.
    if (search) {
      search.addEventListener("keydown", function (event) {
        if (event.key === "Enter" && !event.ctrlKey && !event.metaKey) {
          event.preventDefault();
          search.dispatchEvent(new Event("desk-search", { bubbles: true }));
        }
      });
    }

    // The emergency tick follows the urgency rules until the operator decides for themselves.
    if (emergency) {
      emergency.addEventListener("change", function () {
        emergency.dataset.touched = "1";
      });
    }
    document.body.addEventListener("htmx:afterSwap", function (event) {
      var target = event.detail && event.detail.target;
      if (!target || target.id !== "desk-urgency" || !emergency || emergency.dataset.touched) return;
      emergency.checked = !!target.querySelector("[data-emergency]");
    });

    // The analysis suggestions (#desk-suggestions, wired to "analysis:suggest") read the caller's words as `text`.
    document.body.addEventListener("htmx:configRequest", function (event) {
      var elt = event.detail && event.detail.elt;
      if (!elt || elt.id !== "desk-suggestions") return;
      var parameters = event.detail.parameters;
      var body = document.getElementById("id_body");
      var title = document.getElementById("id_title");
      parameters.text = body ? body.value : "";
      parameters.title = title ? title.value : "";
      if (parameters.delete) parameters.delete("body");
      else delete parameters.body;
    });

    // "Use this answer": the earlier reply goes into the answer box, to be read out or adapted.
    document.addEventListener("click", function (event) {
      var button = event.target.closest ? event.target.closest(".desk-use") : null;
      if (!button || !answer) return;
      var source = document.getElementById(button.dataset.source);
      if (!source) return;
      answer.value = source.textContent.trim();
      answer.focus();
    });
  });
})();

// The quote builder's live comparison: after a pause in typing, the form is sent to the preview
// endpoint, which prices it in the server (nothing is saved) and answers with an HTML fragment.
// The server reads the numbers in the form's locale, as it does when saving. Problems are shown
// next to the fields the salesperson has touched; warnings to confirm are copied next to the
// Save button with their tick box; where a revision needs the current catalog, its box is
// ticked (and unticked again when no longer needed, unless the salesperson ticked it).
//
// The form is also kept as a draft in this browser (localStorage, per user and quote number or
// "new") on every change, so a session that ends mid-edit loses nothing: when the builder opens
// and a draft newer than the saved form exists, it offers to restore or discard it. The page
// after a successful save forgets the draft. The form's one-time token is remembered in the
// history entry, so Back after saving and Save again sends the same token (and the server
// answers with the quote already saved).
//
// Without JavaScript the page still works: saving shows the same messages next to the fields.
(function () {
  "use strict";

  function storage() {
    try {
      return window.localStorage;
    } catch (e) {
      return null;
    }
  }

  // The page after a save: forget the drafts the save made obsolete.
  var savedNotice = document.querySelector("[data-clear-drafts]");
  if (savedNotice && storage()) {
    savedNotice.getAttribute("data-clear-drafts").split(" ").forEach(function (key) {
      try {
        storage().removeItem(key);
      } catch (e) {
        /* storage not available: nothing kept */
      }
    });
  }

  var form = document.getElementById("builder");
  if (!form) return;
  var panel = document.getElementById("comparison");
  var status = document.getElementById("comparison-status");
  var bar = document.getElementById("saving-bar");
  var url = form.getAttribute("data-preview");
  var timer = null;
  var sequence = 0;
  var touched = {};
  var follow = form.hasAttribute("data-follow-product");
  var checks = document.getElementById("checks");
  var checksList = document.getElementById("checks-list");
  var confirmBox = document.getElementById("f-numbers_checked");
  var reprice = document.getElementById("f-reprice");
  var repriceNote = document.getElementById("note-reprice");
  var repriceTickedForYou = false;
  var token = form.elements.form_token;
  var draftKey = form.getAttribute("data-draft-key");
  var formTime = Number(form.getAttribute("data-form-time") || "0");
  var NOT_KEPT = { csrf_token: true, form_token: true, numbers_checked: true };

  // Back to a form that was submitted: it is the same form, with the same one-time token.
  if (token && window.history.state && window.history.state.formToken) {
    token.value = window.history.state.formToken;
  }

  Array.prototype.forEach.call(form.querySelectorAll("[aria-invalid=true]"), function (el) {
    touched[el.name] = true;
  });

  function showErrors() {
    var found = {};
    Array.prototype.forEach.call(panel.querySelectorAll("[data-field-error]"), function (li) {
      found[li.getAttribute("data-field-error")] = li.getAttribute("data-message");
    });
    Array.prototype.forEach.call(form.querySelectorAll("[data-error-for]"), function (p) {
      var name = p.getAttribute("data-error-for");
      var input = form.elements[name];
      var message = touched[name] ? found[name] : undefined;
      p.textContent = message || "";
      if (input && input.setAttribute) {
        if (message) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
        var field = input.closest(".field");
        if (field) field.classList.toggle("invalid", !!message);
      }
    });
  }

  // The warnings of the preview, next to the Save button; a new set of warnings needs a new tick.
  function showChecks() {
    if (!checks || !checksList || !confirmBox) return;
    var found = panel.querySelector("#preview-checks");
    var digest = found ? found.getAttribute("data-digest") : "";
    checksList.innerHTML = "";
    if (found) {
      Array.prototype.forEach.call(found.querySelectorAll("li"), function (li) {
        checksList.appendChild(li.cloneNode(true));
      });
    }
    checks.hidden = !found;
    if (confirmBox.value !== digest) {
      confirmBox.value = digest;
      confirmBox.checked = false;
    }
  }

  function showPricing() {
    if (!reprice) return;
    var pricing = panel.querySelector("#preview-pricing");
    if (!pricing) return;
    var needed = pricing.getAttribute("data-reprice-needed") === "yes";
    if (repriceNote) repriceNote.textContent = pricing.textContent;
    if (needed && !reprice.checked) {
      reprice.checked = true;
      repriceTickedForYou = true;
    } else if (!needed && repriceTickedForYou) {
      reprice.checked = false;
      repriceTickedForYou = false;
    }
  }

  function refresh() {
    var mine = ++sequence;
    panel.setAttribute("aria-busy", "true");
    fetch(url, {
      method: "POST",
      body: new FormData(form),
      credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" },
    })
      .then(function (response) {
        if (response.redirected || response.status === 401) {
          window.location.reload();
          return null;
        }
        return response.text();
      })
      .then(function (html) {
        if (html === null || mine !== sequence) return;
        panel.innerHTML = html;
        panel.removeAttribute("aria-busy");
        showErrors();
        showChecks();
        showPricing();
        var saving = document.getElementById("saving");
        if (status) status.textContent = saving ? saving.textContent : "";
        if (bar) {
          bar.hidden = !saving;
          document.body.classList.toggle("has-saving-bar", !!saving);
          document.getElementById("saving-bar-value").textContent = saving ? saving.textContent : "";
        }
      })
      .catch(function () {
        panel.removeAttribute("aria-busy");
      });
  }

  // Choosing another product of ours starts the other offer's technical values from it,
  // unless the salesperson has typed them.
  function followProduct(select) {
    var option = select.options[select.selectedIndex];
    var profile = option ? JSON.parse(option.getAttribute("data-profile") || "{}") : {};
    Object.keys(profile).forEach(function (name) {
      var input = form.elements[name];
      if (input && !touched[name]) input.value = profile[name];
    });
  }

  // Choosing a customer record or a machine of the competitor library fills in the fields it
  // knows (the customer's name and segment; the other machine's data sheet, empty where the
  // data sheet states nothing).
  function fillFrom(select) {
    var option = select.options[select.selectedIndex];
    var values = option ? JSON.parse(option.getAttribute("data-fill") || "{}") : {};
    Object.keys(values).forEach(function (name) {
      var input = form.elements[name];
      if (input) {
        input.value = values[name];
        touched[name] = true;
      }
    });
  }

  // ---- the draft kept in this browser ------------------------------------------------------

  function formValues() {
    var out = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (!el.name || NOT_KEPT[el.name]) return;
      out[el.name] = el.type === "checkbox" ? (el.checked ? el.value : "") : el.value;
    });
    return out;
  }

  function field(name) {
    return form.elements[name] ? form.elements[name].value : "";
  }

  function keepDraft() {
    var store = storage();
    if (!store || !draftKey) return;
    try {
      store.setItem(
        draftKey,
        JSON.stringify({
          savedAt: Date.now(),
          base: field("base_version"),
          locale: field("number_locale"),
          values: formValues(),
        })
      );
    } catch (e) {
      /* storage full or refused: the form works without a draft */
    }
  }

  function readDraft() {
    var store = storage();
    if (!store || !draftKey) return null;
    try {
      var draft = JSON.parse(store.getItem(draftKey) || "null");
      return draft && draft.values ? draft : null;
    } catch (e) {
      return null;
    }
  }

  function forgetDraft() {
    var store = storage();
    if (store && draftKey) {
      try {
        store.removeItem(draftKey);
      } catch (e) {
        /* nothing kept */
      }
    }
  }

  function differs(values) {
    var now = formValues();
    return Object.keys(values).some(function (name) {
      return name in now && now[name] !== values[name];
    });
  }

  function restore(values) {
    Object.keys(values).forEach(function (name) {
      var el = form.elements[name];
      if (!el || NOT_KEPT[name] || el.type === "hidden") return;
      if (el.type === "checkbox") el.checked = values[name] !== "";
      else el.value = values[name];
      touched[name] = true;
    });
    if (reprice) repriceTickedForYou = false;
  }

  function offerDraft() {
    var box = document.getElementById("draft");
    var draft = readDraft();
    if (!box || !draft) return;
    // A draft of another version, or typed in the other language, would misread the numbers
    // or undo a version saved since: it is not offered.
    if (draft.base !== field("base_version") || draft.locale !== field("number_locale")) return;
    if (!(draft.savedAt > formTime) || !differs(draft.values)) return;
    var when = document.getElementById("draft-when");
    if (when) {
      when.textContent = new Date(draft.savedAt).toLocaleString(document.documentElement.lang);
    }
    box.hidden = false;
    document.getElementById("draft-restore").addEventListener("click", function () {
      restore(draft.values);
      box.hidden = true;
      syncVisibility();
      refresh();
      form.elements.customer_name.focus();
    });
    document.getElementById("draft-discard").addEventListener("click", function () {
      forgetDraft();
      box.hidden = true;
      form.elements.customer_name.focus();
    });
  }

  // ---- events ------------------------------------------------------------------------------

  function schedule(event) {
    if (event && event.target && event.target.name) touched[event.target.name] = true;
    if (event && event.target === reprice) repriceTickedForYou = false;
    if (follow && event && event.target && event.target.name === "ours_sku") {
      followProduct(event.target);
    }
    if (event && event.type === "change" && event.target &&
        (event.target.name === "customer_id" || event.target.name === "comp_library")) {
      fillFrom(event.target);
    }
    syncVisibility();
    if (event && event.target && event.target.name !== "numbers_checked") keepDraft();
    window.clearTimeout(timer);
    timer = window.setTimeout(refresh, 200);
  }

  function syncVisibility() {
    Array.prototype.forEach.call(form.querySelectorAll("[data-show-when]"), function (box) {
      var control = form.elements[box.getAttribute("data-show-when")];
      var wanted = box.getAttribute("data-values").split(" ");
      box.hidden = !control || wanted.indexOf(control.value) < 0;
    });
  }

  form.addEventListener("input", schedule);
  form.addEventListener("change", schedule);
  form.addEventListener("submit", function () {
    keepDraft();
    if (token) {
      var state = Object.assign({}, window.history.state || {}, { formToken: token.value });
      window.history.replaceState(state, "");
    }
  });
  syncVisibility();
  offerDraft();
  refresh();
})();

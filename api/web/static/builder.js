// The quote builder's live comparison: after a pause in typing, the form is sent to the preview
// endpoint, which prices it in the server (nothing is saved) and answers with an HTML fragment.
// Problems are shown next to the fields the salesperson has touched. Without JavaScript the
// page still works: saving shows the same messages next to the fields.
(function () {
  "use strict";
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

  function schedule(event) {
    if (event && event.target && event.target.name) touched[event.target.name] = true;
    if (follow && event && event.target && event.target.name === "ours_sku") {
      followProduct(event.target);
    }
    syncVisibility();
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
  syncVisibility();
  refresh();
})();

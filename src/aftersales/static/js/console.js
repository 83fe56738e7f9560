/* Aftersales console: small progressive enhancements. Everything works without it. */
(function () {
  "use strict";

  // A parent select (category, department) narrows its child select (subcategory, handler).
  function linkSelects(root) {
    root.querySelectorAll("select[data-parent-of]").forEach(function (parent) {
      var child = document.querySelector(parent.getAttribute("data-parent-of"));
      if (!child || parent.dataset.linked) return;
      parent.dataset.linked = "1";
      function sync(initial) {
        var opt = parent.options[parent.selectedIndex];
        var key = opt ? (opt.getAttribute("data-key") || opt.value) : "";
        Array.prototype.forEach.call(child.options, function (o) {
          var p = o.getAttribute("data-parent");
          var show = !p || p === key;
          o.hidden = !show;
          o.disabled = !show;
        });
        var cur = child.options[child.selectedIndex];
        if (cur && cur.disabled) child.value = "";
        if (!initial && !child.value) {
          var first = Array.prototype.find.call(child.options, function (o) { return !o.disabled && o.value; });
          if (first && child.hasAttribute("data-autopick")) child.value = first.value;
        }
      }
      parent.addEventListener("change", function () { sync(false); });
      sync(true);
    });
  }

  function init(root) {
    linkSelects(root);
    root.querySelectorAll("[data-dismiss]").forEach(function (btn) {
      btn.addEventListener("click", function () { btn.closest(".flash").remove(); });
    });
    root.querySelectorAll("[data-copy]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var input = document.querySelector(btn.getAttribute("data-copy"));
        if (!input) return;
        input.select();
        var done = function () { btn.textContent = btn.getAttribute("data-copied") || "OK"; };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(input.value).then(done);
        } else {
          try { document.execCommand("copy"); done(); } catch (e) { /* user copies by hand */ }
        }
      });
    });
    root.querySelectorAll("[data-select-on-focus]").forEach(function (el) {
      el.addEventListener("focus", function () { el.select(); });
    });
  }

  // Filter forms send only the filters in use, so pushed URLs stay short and shareable.
  document.addEventListener("htmx:configRequest", function (evt) {
    var elt = evt.detail.elt;
    if (!elt || !elt.closest || !elt.closest("[data-clean-params]") || evt.detail.verb !== "get") return;
    var params = evt.detail.parameters;
    Object.keys(params).forEach(function (key) {
      if (params[key] === "" || (key === "scope" && params[key] === "all")) delete params[key];
    });
  });

  document.addEventListener("DOMContentLoaded", function () {
    init(document);
    // After a refused submit, put the keyboard on the first field to fix.
    var bad = document.querySelector(".has-error input:not([type=hidden]), .has-error select, .has-error textarea");
    if (bad) bad.focus();
  });
  document.addEventListener("htmx:load", function (evt) { init(evt.target); });
})();

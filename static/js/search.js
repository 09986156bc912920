// Header search (discovery): the ARIA combobox pattern over the htmx quick-results popover.
// The input is the combobox; #search-popover receives a role="listbox" from /search/quick/.
// ArrowDown/ArrowUp move the active option (aria-activedescendant), Enter opens it (or
// submits the form to /search/ when none is active), Escape closes the popover.
(function () {
  "use strict";

  function setup() {
    var input = document.getElementById("site-search");
    var popover = document.getElementById("search-popover");
    if (!input || !popover) return;
    var active = -1;

    function options() {
      return Array.prototype.slice.call(popover.querySelectorAll('[role="option"]'));
    }

    function open() {
      var has = options().length > 0;
      popover.hidden = !has;
      input.setAttribute("aria-expanded", has ? "true" : "false");
    }

    function close() {
      popover.hidden = true;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
      active = -1;
    }

    function highlight(index) {
      var opts = options();
      if (!opts.length) return;
      active = (index + opts.length) % opts.length;
      opts.forEach(function (opt, i) {
        opt.setAttribute("aria-selected", i === active ? "true" : "false");
        opt.classList.toggle("is-active", i === active);
      });
      input.setAttribute("aria-activedescendant", opts[active].id);
      opts[active].scrollIntoView({ block: "nearest" });
    }

    document.body.addEventListener("htmx:afterSwap", function (event) {
      if (event.detail.target !== popover) return;
      active = -1;
      input.removeAttribute("aria-activedescendant");
      if (input.value.trim()) open();
      else close();
    });

    input.addEventListener("keydown", function (event) {
      if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        if (popover.hidden) open();
        if (!options().length) return;
        event.preventDefault();
        highlight(active + (event.key === "ArrowDown" ? 1 : -1));
      } else if (event.key === "Enter") {
        var opts = options();
        if (!popover.hidden && active >= 0 && opts[active]) {
          event.preventDefault();
          window.location.assign(opts[active].getAttribute("data-href"));
        }
      } else if (event.key === "Escape") {
        if (!popover.hidden) {
          event.preventDefault();
          close();
        }
      }
    });

    popover.addEventListener("click", function (event) {
      var option = event.target.closest('[role="option"]');
      if (option) window.location.assign(option.getAttribute("data-href"));
    });

    input.addEventListener("input", function () {
      if (!input.value.trim()) close();
    });

    document.addEventListener("click", function (event) {
      if (!input.form.contains(event.target)) close();
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", setup);
  else setup();
})();

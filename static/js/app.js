// Small progressive enhancements; every page works without this file.
(function () {
  "use strict";

  // Pre-select the browser's time zone on signup forms (the user can still change it).
  function detectTimezone(root) {
    (root || document).querySelectorAll("select[data-detect-timezone]").forEach(function (select) {
      if (select.dataset.detected) return;
      select.dataset.detected = "1";
      try {
        var tz = Intl.DateTimeFormat().resolvedOptions().timeZone;
        if (tz && select.querySelector('option[value="' + tz + '"]') && !select.closest("form").dataset.bound) {
          select.value = tz;
        }
      } catch (e) { /* older browsers: keep the default */ }
    });
  }

  var FOCUSABLE = 'a[href], button:not([disabled]), input:not([disabled]):not([type=hidden]), ' +
    'select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';

  function visible(el) { return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length); }
  function focusables(root) {
    return Array.prototype.filter.call(root.querySelectorAll(FOCUSABLE), function (el) {
      if (!visible(el)) return false;
      // Only the checked radio of a group takes part in the Tab order.
      if (el.type === "radio" && !el.checked && el.form &&
          el.form.querySelector('input[type=radio][name="' + el.name + '"]:checked')) return false;
      return true;
    });
  }

  // Focus the first heading of `root` (made focusable for the purpose), else its first control.
  function focusStart(root) {
    var target = root.querySelector("[data-focus-first]") || root.querySelector("h1, h2, h3");
    if (target) {
      if (!target.hasAttribute("tabindex") && !target.matches(FOCUSABLE)) target.setAttribute("tabindex", "-1");
    } else {
      target = focusables(root)[0];
    }
    if (target) target.focus();
  }

  // --- Modals: native <dialog data-modal> loaded by htmx into #modal-root, opened with
  // showModal() (the page behind is inert), focus moved in, Tab kept inside, Escape / ✕ /
  // backdrop close it and focus returns to what opened it.
  var opener = null;
  var focusAtRequest = {};  // target id -> what had focus when its request started
  document.addEventListener("htmx:beforeRequest", function (e) {
    var target = e.detail.target;
    if (target && target.id === "modal-root") opener = e.detail.elt;
    // Recorded now: hx-disabled-elt disables (and so blurs) the button while the request runs.
    var inside = focusInside(target);
    if (inside) focusAtRequest[target.id] = inside;
  });

  function openModals(root) {
    (root || document).querySelectorAll("dialog[data-modal]:not([open])").forEach(function (dialog) {
      dialog.returnFocusTo = opener && document.body.contains(opener) ? opener : document.activeElement;
      opener = null;
      if (typeof dialog.showModal === "function") dialog.showModal(); else dialog.setAttribute("open", "");
      focusStart(dialog);
    });
  }

  function closeModal(dialog) {
    dialog = dialog || document.querySelector("#modal-root dialog[open]");
    if (!dialog) return;
    if (dialog.open && typeof dialog.close === "function") dialog.close(); else onClosed(dialog);
  }

  function onClosed(dialog) {
    var back = dialog.returnFocusTo;
    if (dialog.parentNode) dialog.parentNode.removeChild(dialog);
    if (back && document.body.contains(back)) back.focus();
    else document.getElementById("main").focus();
  }

  document.addEventListener("close", function (e) {
    if (e.target.matches && e.target.matches("dialog[data-modal]")) onClosed(e.target);
  }, true);

  document.addEventListener("keydown", function (e) {
    var dialog = document.querySelector("#modal-root dialog[open]");
    if (!dialog) return;
    if (e.key === "Escape") { e.preventDefault(); closeModal(dialog); return; }
    if (e.key !== "Tab") return;
    var items = focusables(dialog);
    if (!items.length) { e.preventDefault(); return; }
    var first = items[0], last = items[items.length - 1], active = document.activeElement;
    if (!dialog.contains(active)) { e.preventDefault(); first.focus(); }
    else if (e.shiftKey && (active === first || active === dialog.querySelector("[tabindex='-1']:focus"))) {
      e.preventDefault(); last.focus();
    } else if (!e.shiftKey && active === last) { e.preventDefault(); first.focus(); }
  });

  document.addEventListener("click", function (e) {
    // A click on the ::backdrop lands on the <dialog> itself, outside its content box.
    if (e.target.matches && e.target.matches("dialog[data-modal][open]")) {
      var r = e.target.getBoundingClientRect();
      if (e.clientX < r.left || e.clientX > r.right || e.clientY < r.top || e.clientY > r.bottom) closeModal(e.target);
    }
    var closer = e.target.closest && e.target.closest("[data-close-modal]");
    if (closer) { e.preventDefault(); closeModal(closer.closest("dialog")); }
    // "Go back" links (no inline javascript: URLs under the Content-Security-Policy).
    if (e.target.closest && e.target.closest("[data-history-back]") && window.history.length > 1) {
      e.preventDefault(); window.history.back();
    }
  });

  // --- Focus after htmx swaps: when the element that had focus is replaced, focus goes to
  // the same control in the new content (same id), else to the new content's heading.
  // `focusInside(region)`: what to put focus back on, if focus is in the region (by id).
  function focusInside(target) {
    var active = document.activeElement;
    if (target && target.id && active && active !== document.body && target.contains(active)) {
      return { targetId: target.id, id: active.id };
    }
    return null;
  }
  // `restoreFocus(wanted, fallback)`: unless focus already landed somewhere on the page, the
  // same control, else the heading of the region (or of `fallback`, the swapped element).
  function restoreFocus(wanted, fallback) {
    var active = document.activeElement;
    if (active && active !== document.body && document.body.contains(active)) return;
    var control = wanted.id && document.getElementById(wanted.id);
    if (control && visible(control)) { control.focus(); return; }
    // The new content may carry another id (a booking panel replacing the booking form).
    var region = document.getElementById(wanted.targetId) ||
      (fallback && fallback !== document.body && document.body.contains(fallback) ? fallback : null);
    if (region) focusStart(region);
  }
  var focusBefore = null;
  document.addEventListener("htmx:beforeSwap", function (e) {
    var target = e.detail.target, active = document.activeElement;
    focusBefore = focusInside(target);
    if (!focusBefore && target && target.id && focusAtRequest[target.id] && (!active || active === document.body)) {
      focusBefore = focusAtRequest[target.id];
    }
    if (target && target.id) delete focusAtRequest[target.id];
    stashLiveRegions(target);
  });
  document.addEventListener("htmx:afterSwap", function () { restoreLiveRegions(); });
  document.addEventListener("htmx:afterSettle", function (e) {
    detectTimezone(e.target);
    expireToasts();
    openModals(e.target.id === "modal-root" ? e.target : null);
    if (!focusBefore) return;
    var wanted = focusBefore;
    focusBefore = null;
    restoreFocus(wanted, e.target);
  });

  // --- Live regions keep their node: a role=status / aria-live element that a swap replaces
  // (by id) is put back and only its content changes, so screen readers announce it.
  var stashed = [];
  function liveRegions(root) {
    if (!root || !root.querySelectorAll) return [];
    var found = Array.prototype.slice.call(root.querySelectorAll("[id][role=status], [id][aria-live]"));
    if (root.id && root.matches("[role=status], [aria-live]")) found.unshift(root);
    return found.filter(function (el) { return !el.matches("[hx-get], [hx-post], [hx-trigger], [ws-connect]"); });
  }
  function stashLiveRegions(root) { stashed = stashed.concat(liveRegions(root)); }
  function restoreLiveRegions() {
    stashed.forEach(function (old) {
      var fresh = document.getElementById(old.id);
      if (!fresh || fresh === old || old.isConnected) return;
      Array.prototype.slice.call(old.attributes).forEach(function (a) { old.removeAttribute(a.name); });
      Array.prototype.slice.call(fresh.attributes).forEach(function (a) { old.setAttribute(a.name, a.value); });
      old.replaceChildren.apply(old, Array.prototype.slice.call(fresh.childNodes));
      fresh.replaceWith(old);
    });
    stashed = [];
  }
  // A live push (an out-of-band swap over the websocket) that replaces the region holding
  // focus, such as the booking panel just after its own button was pressed, puts focus back
  // on the same control in the new content, else on the region's heading: the keyboard user
  // is not thrown back to the top of the page.
  var focusBeforePush = null;
  document.addEventListener("htmx:oobBeforeSwap", function (e) {
    focusBeforePush = focusInside(e.detail.target);
    stashLiveRegions(e.detail.target);
  });
  document.addEventListener("htmx:oobAfterSwap", function () {
    restoreLiveRegions();
    var wanted = focusBeforePush;
    focusBeforePush = null;
    if (wanted) restoreFocus(wanted, null);
  });

  // Toasts removed after a while; pushed ones arrive via hx-ws out-of-band swaps. A toast
  // whose link has keyboard focus stays until focus leaves it.
  function expireToasts() {
    document.querySelectorAll("#toasts .toast:not([data-timer])").forEach(function (t) {
      t.dataset.timer = "1";
      var remove = function () {
        if (t.matches(":focus-within")) { setTimeout(remove, 2000); return; }
        t.remove();
      };
      setTimeout(remove, 8000);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { detectTimezone(); expireToasts(); });
  document.addEventListener("htmx:wsAfterMessage", expireToasts);

  // Pushes only swap what this page has: the user's stream (/ws/notifications/) carries
  // fragments for every page they may have open; out-of-band elements whose target is not
  // on this page are dropped before htmx looks for them (no htmx:oobErrorNoTarget).
  function onlyPresentTargets(text) {
    if (typeof text !== "string" || text.indexOf("hx-swap-oob") === -1) return text;
    var template = document.createElement("template");
    template.innerHTML = text;
    Array.prototype.slice.call(template.content.children).forEach(function (el) {
      var spec = el.getAttribute("hx-swap-oob");
      if (spec === null) return;
      var colon = spec.indexOf(":");
      var selector = colon === -1 ? (el.id ? "#" + el.id : null) : spec.slice(colon + 1);
      try {
        if (selector && !document.querySelector(selector)) el.remove();
      } catch (err) { /* an odd selector: leave it to htmx */ }
    });
    return template.innerHTML;
  }
  function defineExtension() {
    if (!window.htmx || window.htmx.__pushTargets) return;
    window.htmx.__pushTargets = true;
    window.htmx.defineExtension("present-targets", { transformResponse: onlyPresentTargets });
  }
  defineExtension();
  document.addEventListener("DOMContentLoaded", defineExtension);

  // Live updates: is the signed-in user's stream (/ws/notifications/, base.html) open? While it
  // is not, the body receives "offline-poll" every 2 s and the fallback pollers listen to it:
  // hx-trigger="offline-poll from:body" (no htmx filter expressions: those need eval, which
  // the Content-Security-Policy does not allow).
  var liveOpen = false;
  document.addEventListener("htmx:wsOpen", function (e) {
    if (e.target.id === "live-notifications") { liveOpen = true; document.body.dataset.live = "open"; }
  });
  document.addEventListener("htmx:wsClose", function (e) {
    if (e.target.id === "live-notifications") { liveOpen = false; document.body.dataset.live = "closed"; }
  });
  function live() { return liveOpen; }
  setInterval(function () {
    if (!liveOpen && document.body) document.body.dispatchEvent(new CustomEvent("offline-poll"));
  }, 2000);

  window.coaching = { closeModal: closeModal, expireToasts: expireToasts, live: live, onlyPresentTargets: onlyPresentTargets };
})();

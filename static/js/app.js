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

  // Close a modal with Escape or a click on its backdrop.
  function closeModal() {
    var root = document.getElementById("modal-root");
    if (root) root.innerHTML = "";
  }
  document.addEventListener("keydown", function (e) { if (e.key === "Escape") closeModal(); });
  document.addEventListener("click", function (e) {
    if (e.target.classList && e.target.classList.contains("modal-backdrop")) closeModal();
    if (e.target.closest && e.target.closest("[data-close-modal]")) { e.preventDefault(); closeModal(); }
    // "Go back" links (no inline javascript: URLs under the Content-Security-Policy).
    if (e.target.closest && e.target.closest("[data-history-back]") && window.history.length > 1) {
      e.preventDefault(); window.history.back();
    }
  });

  // Toasts removed after a while; pushed ones arrive via hx-ws out-of-band swaps.
  function expireToasts() {
    document.querySelectorAll("#toasts .toast:not([data-timer])").forEach(function (t) {
      t.dataset.timer = "1";
      setTimeout(function () { t.remove(); }, 8000);
    });
  }

  document.addEventListener("DOMContentLoaded", function () { detectTimezone(); expireToasts(); });
  document.addEventListener("htmx:afterSettle", function (e) { detectTimezone(e.target); expireToasts(); });
  document.addEventListener("htmx:wsAfterMessage", expireToasts);

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

  window.coaching = { closeModal: closeModal, expireToasts: expireToasts, live: live };
})();

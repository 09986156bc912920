// Logged-out visitors: report the browser's time zone once, in the `tz` cookie, so the server
// renders times in it (accounts.middleware.UserTimezoneMiddleware); reload once if the page
// was rendered in another zone. A zone picked on /accounts/timezone/ is never overwritten.
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || /(?:^|;\s*)tz=/.test(document.cookie)) return;
  var zone = "";
  try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone || ""; } catch (e) { return; }
  if (!zone || zone.length > 64 || !/^[A-Za-z0-9_+\/-]+$/.test(zone)) return;  // IANA names: cookie-safe
  var secure = window.location.protocol === "https:" ? "; Secure" : "";
  document.cookie = "tz=" + zone + "; path=/; max-age=31536000; SameSite=Lax" + secure;
  if (zone !== script.dataset.currentTz && /(?:^|;\s*)tz=/.test(document.cookie)) {
    window.location.reload();
  }
})();

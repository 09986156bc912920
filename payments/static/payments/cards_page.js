// The saved-cards page (payments/methods_page.html): add a card with the Card Element and a
// SetupIntent (Stripe.js runs 3-D Secure inside confirmCardSetup when the bank asks), keep it
// through /payments/methods/save/, then reload the list. Shares loadStripe/postJSON with the
// payment step (payment_step.js, loaded first).
(function () {
  "use strict";
  function init(section) {
    if (section.dataset.ready) return;
    section.dataset.ready = "1";
    var shared = window.coachingPayments;
    var errorEl = section.querySelector("[data-card-error]");
    var statusEl = section.querySelector("[data-card-status]");
    var button = section.querySelector("[data-save-card]");
    var stripe = null;
    var cardElement = null;
    var ready = shared.loadStripe(section.dataset.stripeJs).then(function (Stripe) {
      stripe = Stripe(section.dataset.stripeKey);
      cardElement = stripe.elements().create("card");
      cardElement.mount(section.querySelector("[data-card-element]"));
    }).catch(function (error) { errorEl.textContent = error.message; });

    button.addEventListener("click", function () {
      errorEl.textContent = "";
      statusEl.textContent = "Saving your card…";
      button.disabled = true;
      ready.then(function () {
        return shared.postJSON(section, section.dataset.setupUrl);
      }).then(function (data) {
        return stripe.confirmCardSetup(data.client_secret, { payment_method: { card: cardElement } });
      }).then(function (result) {
        if (result.error) throw new Error(result.error.message || "The card could not be saved.");
        return shared.postJSON(section, section.dataset.saveUrl, { setup_intent_id: result.setupIntent.id });
      }).then(function (card) {
        statusEl.textContent = "Saved " + card.label + ".";
        window.location.reload();
      }).catch(function (error) {
        statusEl.textContent = "";
        errorEl.textContent = error.message || "The card could not be saved.";
        button.disabled = false;
      });
    });
  }
  function initAll() { document.querySelectorAll("[data-card-manager]").forEach(init); }
  document.addEventListener("DOMContentLoaded", initAll);
  initAll();
})();

// The payment step (payments/payment_step.html): saved cards, add a card with the Card
// Element + SetupIntent, Pay -> server-side confirm, 3-D Secure when Stripe asks, then the
// panel polls its status URL. Works with Stripe.js and with localstripe's stand-in.
(function () {
  "use strict";
  if (window.coachingPayments) { window.coachingPayments.initAll(document); return; }

  var stripeLoading = null;
  function loadStripe(src) {
    if (window.Stripe) return Promise.resolve(window.Stripe);
    if (!stripeLoading) {
      stripeLoading = new Promise(function (resolve, reject) {
        var script = document.createElement("script");
        script.src = src;
        script.onload = function () { resolve(window.Stripe); };
        script.onerror = function () { stripeLoading = null; reject(new Error("Stripe.js could not be loaded.")); };
        document.head.appendChild(script);
      });
    }
    return stripeLoading;
  }

  function csrfToken(step) {
    var input = step.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function postJSON(step, url, body) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": csrfToken(step) },
      body: JSON.stringify(body || {})
    }).then(function (response) {
      return response.json().catch(function () { return {}; }).then(function (data) {
        if (!response.ok) {
          var error = new Error(data.message || "Something went wrong. Please try again.");
          error.status = response.status;
          throw error;
        }
        return data;
      });
    });
  }

  function showPanel(step) {
    // Replace the whole panel with what the status URL says now; it polls itself while the
    // payment is being confirmed and stops at "You're booked!".
    var panel = step.closest("[data-payment-panel]");
    var url = step.dataset.statusUrl;
    if (panel && url && window.htmx) {
      window.htmx.ajax("GET", url, { target: panel, swap: "outerHTML" });
    } else {
      window.location.reload();
    }
  }

  function startCountdown(step) {
    var el = step.querySelector("[data-countdown]");
    if (!el) return;
    var deadline = Date.parse(el.dataset.countdown);
    if (isNaN(deadline)) return;
    var timer = setInterval(function () {
      if (!document.body.contains(el)) { clearInterval(timer); return; }
      var left = Math.max(0, Math.round((deadline - Date.now()) / 1000));
      el.textContent = Math.floor(left / 60) + ":" + String(left % 60).padStart(2, "0") + " min";
      if (left === 0) { clearInterval(timer); showPanel(step); }
    }, 1000);
  }

  function init(step) {
    step.dataset.ready = "1";
    var payError = step.querySelector("[data-pay-error]");
    var cardError = step.querySelector("[data-card-error]");
    var payButton = step.querySelector("[data-pay]");
    var processing = step.querySelector("[data-processing]");
    var cardsSlot = step.querySelector("[data-cards]");
    var stripe = null;
    var cardElement = null;
    startCountdown(step);

    // No saved card yet: open "Add a card" as soon as the (lazily loaded) list says so.
    cardsSlot.addEventListener("htmx:afterSwap", function () {
      if (cardsSlot.querySelector("[data-no-cards]")) step.querySelector("[data-add-card]").open = true;
    });

    var ready = loadStripe(step.dataset.stripeJs).then(function (Stripe) {
      stripe = Stripe(step.dataset.stripeKey);
      cardElement = stripe.elements().create("card");
      cardElement.mount(step.querySelector("[data-card-element]"));
      return stripe;
    }).catch(function (error) {
      payError.textContent = error.message;
    });

    function reloadCards(selectedId) {
      var url = step.dataset.cardsUrl + (selectedId ? "?selected=" + encodeURIComponent(selectedId) : "");
      if (window.htmx) {
        return window.htmx.ajax("GET", url, { target: cardsSlot, swap: "innerHTML" });
      }
      return fetch(url, { credentials: "same-origin" }).then(function (r) { return r.text(); })
        .then(function (html) { cardsSlot.innerHTML = html; });
    }

    step.querySelector("[data-save-card]").addEventListener("click", function (event) {
      var button = event.currentTarget;
      cardError.textContent = "";
      button.disabled = true;
      ready.then(function () {
        return postJSON(step, step.dataset.setupUrl);
      }).then(function (data) {
        return stripe.confirmCardSetup(data.client_secret, { payment_method: { card: cardElement } });
      }).then(function (result) {
        if (result.error) throw new Error(result.error.message || "The card could not be saved.");
        return postJSON(step, step.dataset.saveUrl, { setup_intent_id: result.setupIntent.id });
      }).then(function (card) {
        step.querySelector("[data-add-card]").open = false;
        return reloadCards(card.id);
      }).catch(function (error) {
        cardError.textContent = error.message || "The card could not be saved.";
      }).finally(function () { button.disabled = false; });
    });

    step.querySelector("[data-pay-form]").addEventListener("submit", function (event) {
      event.preventDefault();
      payError.textContent = "";
      var chosen = step.querySelector("input[name=payment_method_id]:checked");
      if (!chosen) { payError.textContent = "Choose a saved card or add one first."; return; }
      payButton.disabled = true;
      processing.hidden = false;
      postJSON(step, step.dataset.confirmUrl, {
        payment_intent_id: step.dataset.paymentIntent,
        payment_method_id: chosen.value
      }).then(function (data) {
        if (data.status !== "requires_action") return data;
        // 3-D Secure: the bank asks the card holder; Stripe.js shows the challenge.
        return ready.then(function () {
          return stripe.confirmCardPayment(data.client_secret || step.dataset.clientSecret);
        }).then(function (result) {
          if (result.error) throw new Error(result.error.message || "The card could not be authenticated.");
          return result.paymentIntent;
        });
      }).then(function () {
        showPanel(step);
      }).catch(function (error) {
        payError.textContent = error.message + " " + (step.dataset.retryHint || "Try again or use another card.");
        payButton.disabled = false;
        processing.hidden = true;
      });
    });
  }

  function initAll(root) {
    (root || document).querySelectorAll("[data-payment-step]:not([data-ready])").forEach(init);
  }

  // loadStripe/postJSON are shared with the saved-cards page (payments/cards_page.js).
  window.coachingPayments = { initAll: initAll, loadStripe: loadStripe, postJSON: postJSON };
  document.addEventListener("DOMContentLoaded", function () { initAll(document); });
  document.addEventListener("htmx:load", function (event) { initAll(event.target.parentNode || document); });
  initAll(document);
})();

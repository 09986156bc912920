"""A Stripe Connect stand-in mounted into our localstripe launcher (a TEST DOUBLE).

localstripe emulates the platform side of Stripe (customers, cards, PaymentIntents, refunds)
but has no Connect. This package adds the Connect resources the payout flow uses, shaped like
Stripe's API objects, lists and errors:

- `POST/GET /v1/accounts[/<id>]`: controller-based Express accounts with `capabilities`,
  `details_submitted`, `payouts_enabled`, `requirements`;
- `POST /v1/account_links`: its `url` opens `/connect/onboarding/<token>` on the emulator, a
  plain HTML form (no JavaScript, no API key) with "Complete onboarding" and "Leave for later";
- `POST /v1/accounts/<id>/login_links`;
- `POST/GET /v1/transfers[/<id>]` (list filters `destination`, `transfer_group`; the
  `source_transaction` must be a succeeded localstripe charge);
- `POST/GET /v1/transfers/<id>/reversals`: refused with Stripe's `balance_insufficient` error
  when the account's balance cannot cover it (a per-account balance is kept);
- signed Connect webhooks (`account.updated`, `transfer.created`, `transfer.reversed`) to a
  second endpoint with its own secret;
- disputes (localstripe has none; disputes.py): the dispute test card `4000 0000 0000 0259`
  creates one and sends a signed `charge.dispute.created` to the PLATFORM endpoint;
  `GET/POST /v1/disputes[/<id>]`, `POST /v1/disputes/<id>/close`;
- idempotency keys on every Connect POST (same key + same parameters replays the first
  response with `Idempotent-Replayed: true`; other parameters: `idempotency_error`).

Its data lives in an append-only journal next to localstripe's store and survives a restart.
Test controls live under `/_config/connect/` (see api.py). Production never loads it: only
`python -m payments.localstripe` imports this package.
"""

from payments.connect_standin.api import install

__all__ = ["install"]

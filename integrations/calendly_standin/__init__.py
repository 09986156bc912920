"""A Calendly API v2 stand-in (a TEST DOUBLE) for local runs and tests: Calendly cannot be
reached from here. Production never loads it: only `python -m integrations.calendly_standin`
(started by `make run` on 127.0.0.1:8430 and by the tests) imports this package.

Shaped like Calendly's API reference (developer.calendly.com/api-docs): resources wrapped in
`{"resource": ...}`, lists as `{"collection": [...], "pagination": {"count", "next_page",
"previous_page", "next_page_token", "previous_page_token"}}`, errors as `{"title", "message"}`
(+ `details` for invalid arguments), 401 for an unknown token, 403 for organization scope
without an owner/admin role, 404 for unknown resources, 409 for a duplicate subscription.

    GET    /users/me
    POST   /webhook_subscriptions          url, events, organization, scope, user, signing_key
    GET    /webhook_subscriptions          organization, scope, user, count, page_token
    GET    /webhook_subscriptions/<uuid>
    DELETE /webhook_subscriptions/<uuid>

Simulating what Calendly's users do (test controls, no token needed, JSON or form posts):

    GET    /_standin/                      an HTML page to book / cancel as an invitee
    POST   /_standin/invitees              start_time, end_time (or duration), name, email,
                                           timezone, event_type_name, user (default: demo user)
                                           → a scheduled event + invitee, `invitee.created`
    POST   /_standin/invitees/cancel       invitee, canceler_type (invitee|host), reason
    POST   /_standin/invitees/reschedule   invitee, start_time, end_time, order (cancel_first|
                                           create_first)
    POST   /_standin/invitees/no_show      invitee, no_show (true: created, false: deleted)
    POST   /_standin/routing_form_submissions  name, email, answers
    POST   /_standin/subscriptions/disable uri (state becomes "disabled", as after 24 h of
                                           failed deliveries)
    DELETE /_standin/data                  forget everything (tokens stay)

Every event is delivered SIGNED (Calendly-Webhook-Signature, t=..,v1=.. over t.body with the
subscription's signing_key) to each active subscription of that user (or organization) at
once; with `deliver=false` the envelopes and headers are returned instead, for a test to post.
"""

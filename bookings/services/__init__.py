"""Writes of the bookings app, one module per sub-domain:

- availability: add / remove free time, carve for a booking, restore and coalesce
- booking_create: validate, price and reserve a booking, then open its payment
- transitions: accept / decline / suggest / pick / cancel / reschedule / expire / complete
- connections: client-coach connections and blocks
"""

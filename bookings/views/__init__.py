"""Views of the bookings app, one module per page family:

- calendar: a coach's calendar page, availability management, connections and blocks
- booking: the booking modal, quotes, start times, creating a booking and paying for it
- actions: accept / decline / suggest / pick / cancel / reschedule, and the booking page
- coach: the coach's requests inbox and dashboard
"""

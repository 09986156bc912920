"""Every edit of a webinar goes through here: the coach's editor on the site and the Django
admin alike (issue 16). Each service takes the webinar lock (webinars/locks.py), re-checks
the invariants against the rows as they are now, and writes only the fields it changes
(`update_fields`), so an open form can never revert a status a payment just changed.

Invariants:
- capacity (`max_attendees`) never below the live seat count (held + confirmed);
- a seat already held or sold keeps its price: its `Registration.amount` and payment are
  frozen; a price change applies to the next seat only, and the currency cannot change
  once a seat was taken;
- the early-bird price is not above the regular price and its deadline is before the start;
- a slot starts in the future and ends after it starts; moving one tells every attendee;
- the status changes only through `webinar_publish`, `webinar_unpublish`, `webinar_cancel`
  (cancellation.py) and the seat services (minimum attendees).
- materials: a file of an allowed type and size (`WEBINAR_MATERIAL_MAX_BYTES`), stored
  through Django's storage API, or a link.

One module per sub-domain: checks (pure, shared with forms), guards (editor and lock),
details (create, update, publish, unpublish), slots, materials; every public name is
re-exported here.
"""

from webinars.services.editing.checks import (
    EDITABLE_FIELDS,
    EXECUTABLE_MAGIC,
    FROZEN_WITH_SEATS,
    MATERIAL_EXTENSIONS,
    STAFF_ONLY_FIELDS,
    Edit,
    NewMaterial,
    SlotChange,
    field_errors,
    material_errors,
    material_file_errors,
    slot_errors,
)
from webinars.services.editing.details import (
    webinar_create,
    webinar_publish,
    webinar_unpublish,
    webinar_update,
)
from webinars.services.editing.materials import (
    webinar_material_add,
    webinar_material_remove,
    webinar_material_update,
)
from webinars.services.editing.slots import (
    webinar_slot_add,
    webinar_slot_remove,
    webinar_slot_reschedule,
)

__all__ = [
    "EDITABLE_FIELDS",
    "STAFF_ONLY_FIELDS",
    "FROZEN_WITH_SEATS",
    "MATERIAL_EXTENSIONS",
    "EXECUTABLE_MAGIC",
    "SlotChange",
    "NewMaterial",
    "Edit",
    "field_errors",
    "slot_errors",
    "material_file_errors",
    "material_errors",
    "webinar_create",
    "webinar_update",
    "webinar_publish",
    "webinar_unpublish",
    "webinar_slot_add",
    "webinar_slot_reschedule",
    "webinar_slot_remove",
    "webinar_material_add",
    "webinar_material_remove",
    "webinar_material_update",
]

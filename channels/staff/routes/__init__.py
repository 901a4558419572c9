"""The staff console's routers, one per resource (included by ``channels.staff.web``)."""

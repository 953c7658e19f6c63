"""The orders app's notification events, one module an area as in services/: orders (placed, status
changed, instalment overdue) and rfq (quote received and accepted, message posted). Importing the
package registers them all (OrdersConfig.ready())."""
from . import orders, rfq  # noqa: F401 - each module registers its events when imported

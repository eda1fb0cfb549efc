-- The lost-contact list's "card mailed" mark (docs/scheduler.md "Lost contact"): once a
-- supervisor has mailed the card, the customer leaves the list. lost_contact_at stays:
-- the rules still make no calls for them (the card asks them to call the center); who
-- marked it and when is kept here and in the audit log.
ALTER TABLE customers
    ADD COLUMN lost_contact_card_mailed_at timestamptz,
    ADD COLUMN lost_contact_card_mailed_by bigint REFERENCES users;
DROP INDEX customers_lost_contact;
CREATE INDEX customers_lost_contact_unmailed ON customers (lost_contact_at)
    WHERE lost_contact_at IS NOT NULL AND lost_contact_card_mailed_at IS NULL;

-- A vehicle's orders by time: the daily recompute of the few vehicles whose history
-- changed (care.sql recompute_stale) and a reading told during a call (vehicle_history)
-- find a vehicle's last orders here instead of scanning every order.
CREATE INDEX service_orders_vehicle ON service_orders (vehicle_id, settled_at DESC);

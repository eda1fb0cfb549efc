-- User administration and login throttling (docs/security.md).

-- Set when an admin resets the password: until the user picks a new one, the session
-- that logs in with the temporary password can do nothing but change it.
ALTER TABLE users ADD COLUMN must_change_password boolean NOT NULL DEFAULT false;

-- The scheduled sweep deletes expired sessions by this.
CREATE INDEX user_sessions_expires ON user_sessions (expires_at);

-- Failed logins per username and per client address. One row per key, shared by every
-- server on this database; failures are forgotten after a quiet period, so nobody is
-- locked out for ever, and blocked_until is when the next attempt will be looked at.
CREATE TABLE login_throttle (
    kind            text NOT NULL CHECK (kind IN ('username', 'address')),
    value           text NOT NULL,
    failures        integer NOT NULL CHECK (failures > 0),
    last_failure_at timestamptz NOT NULL DEFAULT now(),
    blocked_until   timestamptz,
    PRIMARY KEY (kind, value)
);
CREATE INDEX login_throttle_last_failure ON login_throttle (last_failure_at);

-- What the hotline said to each caller, and in which language (telephony/hotline.py):
-- prompt names and readbacks in order, so a dispute ("I was never told the time") can be
-- settled, and the tests can check what a real call heard.
ALTER TABLE ivr_sessions
    ADD COLUMN language text,
    ADD COLUMN said text[] NOT NULL DEFAULT '{}';

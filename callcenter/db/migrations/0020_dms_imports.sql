-- The files the dealership's DMS delivered (docs/imports.md, "Nightly DMS sync"), each
-- one dropped in CALLCENTER_DMS_INBOX or pushed to POST /api/imports, with what its
-- import did; and the index the greetings find a day's birthdays with. A folder file's
-- row is written in the import's own transaction, so a server that restarts before
-- moving the file to done/ finds it imported and never imports it twice; the unique
-- index is what makes that hold across servers.
CREATE TABLE dms_imports (
    id          bigserial PRIMARY KEY,
    source      text NOT NULL CHECK (source IN ('folder', 'api')),
    file_name   text NOT NULL,
    sha256      bytea NOT NULL CHECK (length(sha256) = 32),
    status      text NOT NULL CHECK (status IN ('imported', 'rejected', 'failed')),
    -- The import's report as the CLI prints it (errors and warnings included).
    report      text NOT NULL,
    -- The admin who pushed it; NULL for the folder and the integration token.
    pushed_by   bigint REFERENCES users,
    created_at  timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX dms_imports_folder_once ON dms_imports (sha256)
    WHERE source = 'folder' AND status = 'imported';
CREATE INDEX dms_imports_created ON dms_imports (created_at);

-- The greetings' birthdays of a day (db/queries/greetings.sql, born_on; docs/greetings.md):
-- without it every day of the year reads every customer.
CREATE INDEX customers_birth_day ON customers
    (((extract(month FROM birthday) * 100 + extract(day FROM birthday))::int));

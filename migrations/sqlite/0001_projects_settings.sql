-- Projects (participatietrajecten) with their phases, and site settings.

CREATE TABLE settings (
    key        TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at DATETIME NOT NULL
);

CREATE TABLE projects (
    id           INTEGER PRIMARY KEY AUTOINCREMENT,
    slug         TEXT NOT NULL,
    title        TEXT NOT NULL,
    summary      TEXT NOT NULL,
    body         TEXT NOT NULL DEFAULT '',
    body_html    TEXT NOT NULL DEFAULT '',
    wijk         TEXT NOT NULL DEFAULT '',
    image_path   TEXT NOT NULL DEFAULT '',
    image_alt    TEXT NOT NULL DEFAULT '',
    status       TEXT NOT NULL DEFAULT 'draft'
                 CHECK (status IN ('draft', 'published', 'closed', 'archived')),
    published_at DATETIME,
    closed_at    DATETIME,
    created_at   DATETIME NOT NULL,
    updated_at   DATETIME NOT NULL
);
CREATE UNIQUE INDEX projects_slug_key ON projects (slug);
CREATE INDEX projects_status_published_idx ON projects (status, published_at DESC);

CREATE TABLE project_phases (
    id          INTEGER PRIMARY KEY AUTOINCREMENT,
    project_id  INTEGER NOT NULL REFERENCES projects (id) ON DELETE CASCADE,
    position    INTEGER NOT NULL,
    title       TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT '',
    starts_on   DATETIME NOT NULL,
    ends_on     DATETIME
);
CREATE UNIQUE INDEX project_phases_project_position_key ON project_phases (project_id, position);

-- Full-text search of a board's ideas over title and text: an FTS5 index
-- whose content is the ideas table itself (external content), kept in
-- step by the triggers below. unicode61 folds case and diacritics; Dutch
-- word forms are matched by the query (suffix stripped, prefix search),
-- see internal/idea/search.go.
CREATE VIRTUAL TABLE ideas_fts USING fts5(title, description, content='ideas', content_rowid='id',
    tokenize='unicode61 remove_diacritics 2');

CREATE TRIGGER ideas_fts_insert AFTER INSERT ON ideas BEGIN
    INSERT INTO ideas_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;

CREATE TRIGGER ideas_fts_delete AFTER DELETE ON ideas BEGIN
    INSERT INTO ideas_fts (ideas_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
END;

CREATE TRIGGER ideas_fts_update AFTER UPDATE OF title, description ON ideas BEGIN
    INSERT INTO ideas_fts (ideas_fts, rowid, title, description) VALUES ('delete', old.id, old.title, old.description);
    INSERT INTO ideas_fts (rowid, title, description) VALUES (new.id, new.title, new.description);
END;

INSERT INTO ideas_fts (ideas_fts) VALUES ('rebuild');

-- Full-text index over each lesson's title, summary and objectives (what a lesson is
-- about, in the words an author chose to describe it), ranked with the title first.
-- Search fuses it with the chunk rankings, so a plain question finds the lesson named
-- for it. Kept in step with `lessons` by triggers, like `chunks_fts`.
CREATE VIRTUAL TABLE `lessons_fts` USING fts5(`title`, `summary`, `objectives`, content='lessons', content_rowid='rowid', tokenize='porter unicode61');
--> statement-breakpoint
INSERT INTO `lessons_fts`(`lessons_fts`, `rank`) VALUES ('rank', 'bm25(4.0, 2.0, 1.0)');
--> statement-breakpoint
INSERT INTO `lessons_fts`(`lessons_fts`) VALUES ('rebuild');
--> statement-breakpoint
CREATE TRIGGER `lessons_fts_insert` AFTER INSERT ON `lessons` BEGIN
  INSERT INTO `lessons_fts`(rowid, `title`, `summary`, `objectives`) VALUES (new.rowid, new.`title`, new.`summary`, new.`objectives`);
END;
--> statement-breakpoint
CREATE TRIGGER `lessons_fts_delete` AFTER DELETE ON `lessons` BEGIN
  INSERT INTO `lessons_fts`(`lessons_fts`, rowid, `title`, `summary`, `objectives`) VALUES ('delete', old.rowid, old.`title`, old.`summary`, old.`objectives`);
END;
--> statement-breakpoint
CREATE TRIGGER `lessons_fts_update` AFTER UPDATE OF `title`, `summary`, `objectives` ON `lessons` BEGIN
  INSERT INTO `lessons_fts`(`lessons_fts`, rowid, `title`, `summary`, `objectives`) VALUES ('delete', old.rowid, old.`title`, old.`summary`, old.`objectives`);
  INSERT INTO `lessons_fts`(rowid, `title`, `summary`, `objectives`) VALUES (new.rowid, new.`title`, new.`summary`, new.`objectives`);
END;

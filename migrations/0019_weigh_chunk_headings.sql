-- The chunk index gets a second column, the chunk's heading path, weighed 2 to the
-- text's 1 (as `rank`), so a section named for the query outranks one that only
-- mentions it. Rebuilt from `chunks`; the vocabulary table is recreated on top.
DROP TRIGGER IF EXISTS `chunks_fts_insert`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `chunks_fts_delete`;
--> statement-breakpoint
DROP TRIGGER IF EXISTS `chunks_fts_update`;
--> statement-breakpoint
DROP TABLE IF EXISTS `chunks_fts_vocab`;
--> statement-breakpoint
DROP TABLE IF EXISTS `chunks_fts`;
--> statement-breakpoint
CREATE VIRTUAL TABLE `chunks_fts` USING fts5(`text`, `heading_path`, content='chunks', content_rowid='rowid', tokenize='porter unicode61');
--> statement-breakpoint
INSERT INTO `chunks_fts`(`chunks_fts`, `rank`) VALUES ('rank', 'bm25(1.0, 2.0)');
--> statement-breakpoint
CREATE TRIGGER `chunks_fts_insert` AFTER INSERT ON `chunks` BEGIN
  INSERT INTO `chunks_fts`(rowid, `text`, `heading_path`) VALUES (new.rowid, new.`text`, new.`heading_path`);
END;
--> statement-breakpoint
CREATE TRIGGER `chunks_fts_delete` AFTER DELETE ON `chunks` BEGIN
  INSERT INTO `chunks_fts`(`chunks_fts`, rowid, `text`, `heading_path`) VALUES ('delete', old.rowid, old.`text`, old.`heading_path`);
END;
--> statement-breakpoint
CREATE TRIGGER `chunks_fts_update` AFTER UPDATE OF `text`, `heading_path` ON `chunks` BEGIN
  INSERT INTO `chunks_fts`(`chunks_fts`, rowid, `text`, `heading_path`) VALUES ('delete', old.rowid, old.`text`, old.`heading_path`);
  INSERT INTO `chunks_fts`(rowid, `text`, `heading_path`) VALUES (new.rowid, new.`text`, new.`heading_path`);
END;
--> statement-breakpoint
INSERT INTO `chunks_fts`(`chunks_fts`) VALUES ('rebuild');
--> statement-breakpoint
CREATE VIRTUAL TABLE `chunks_fts_vocab` USING fts5vocab(`chunks_fts`, 'row');

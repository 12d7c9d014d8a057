-- Document frequency of every indexed term (after the porter stemmer), read by search
-- to drop query terms that occur in more than half of all chunks: BM25 gives such a
-- term no weight (FTS5 clamps its IDF to ~0), yet matching it scans most of the index.
CREATE VIRTUAL TABLE `chunks_fts_vocab` USING fts5vocab(`chunks_fts`, 'row');
--> statement-breakpoint
-- A token that changes with every chunk written or deleted: isolates keep document
-- frequencies read from the vocabulary until it changes.
CREATE TABLE `search_state` (`id` integer PRIMARY KEY NOT NULL CHECK (`id` = 1), `generation` text NOT NULL);
--> statement-breakpoint
INSERT INTO `search_state` (`id`, `generation`) VALUES (1, lower(hex(randomblob(8))));
--> statement-breakpoint
CREATE TRIGGER `chunks_generation_insert` AFTER INSERT ON `chunks` BEGIN
  UPDATE `search_state` SET `generation` = lower(hex(randomblob(8))) WHERE `id` = 1;
END;
--> statement-breakpoint
CREATE TRIGGER `chunks_generation_delete` AFTER DELETE ON `chunks` BEGIN
  UPDATE `search_state` SET `generation` = lower(hex(randomblob(8))) WHERE `id` = 1;
END;

ALTER TABLE `profile` ADD `token_epoch` integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE `profile` ADD `token_grace_until` integer DEFAULT 0 NOT NULL;
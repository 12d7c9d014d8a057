CREATE TABLE `model_usage_daily` (
	`day` text NOT NULL,
	`feature` text NOT NULL,
	`model` text NOT NULL,
	`calls` integer DEFAULT 0 NOT NULL,
	`failed_calls` integer DEFAULT 0 NOT NULL,
	`prompt_tokens` integer DEFAULT 0 NOT NULL,
	`completion_tokens` integer DEFAULT 0 NOT NULL,
	`cost_usd` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `feature`, `model`)
);
--> statement-breakpoint
ALTER TABLE `model_spend_daily` ADD `cost_usd` real DEFAULT 0 NOT NULL;
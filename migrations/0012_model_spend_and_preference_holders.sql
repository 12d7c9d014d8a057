CREATE TABLE `model_spend_daily` (
	`day` text PRIMARY KEY NOT NULL,
	`generations` integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE `preference_holders` (
	`preferences_hash` text NOT NULL,
	`learner_hash` text NOT NULL,
	PRIMARY KEY(`preferences_hash`, `learner_hash`)
);
--> statement-breakpoint
CREATE INDEX `preference_holders_learner` ON `preference_holders` (`learner_hash`);
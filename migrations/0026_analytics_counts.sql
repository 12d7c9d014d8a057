CREATE TABLE `budget_hits_daily` (
	`day` text NOT NULL,
	`feature` text NOT NULL,
	`reason` text NOT NULL,
	`hits` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `feature`, `reason`)
);
--> statement-breakpoint
CREATE TABLE `recommendation_reason_daily` (
	`day` text NOT NULL,
	`course_id` text NOT NULL,
	`reason` text NOT NULL,
	`impressions` integer DEFAULT 0 NOT NULL,
	`accepted` integer DEFAULT 0 NOT NULL,
	`dismissed` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `course_id`, `reason`)
);
--> statement-breakpoint
CREATE TABLE `search_misses` (
	`day` text NOT NULL,
	`query` text NOT NULL,
	`searches` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `query`)
);

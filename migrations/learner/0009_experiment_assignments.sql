CREATE TABLE `experiment_assignments` (
	`experiment_id` text PRIMARY KEY NOT NULL,
	`bucket_key` text NOT NULL,
	`variant` text NOT NULL,
	`exposed_at` text NOT NULL
);

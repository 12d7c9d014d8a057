CREATE TABLE `erased_learners` (
	`learner_hash` text PRIMARY KEY NOT NULL,
	`erased_at` text NOT NULL
);

CREATE TABLE `prediction_bins` (
	`day` text NOT NULL,
	`model` text NOT NULL,
	`segment` text NOT NULL,
	`bin` integer NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	`positives` integer DEFAULT 0 NOT NULL,
	`sum_predicted` real DEFAULT 0 NOT NULL,
	`sum_log_loss` real DEFAULT 0 NOT NULL,
	PRIMARY KEY(`day`, `model`, `segment`, `bin`)
);

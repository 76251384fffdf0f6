CREATE TABLE `throttle_counters` (
	`key` text PRIMARY KEY NOT NULL,
	`count` integer NOT NULL,
	`window_start_ms` integer NOT NULL
);
--> statement-breakpoint
CREATE INDEX `throttle_counters_window_start_ms_idx` ON `throttle_counters` (`window_start_ms`);--> statement-breakpoint
CREATE INDEX `tokens_created_ms_idx` ON `tokens` (`created_ms`);--> statement-breakpoint
CREATE INDEX `tokens_last_used_ms_idx` ON `tokens` (`last_used_ms`);
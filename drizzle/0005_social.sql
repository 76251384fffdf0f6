CREATE TABLE `social_identities` (
	`id` text PRIMARY KEY NOT NULL,
	`user_id` integer NOT NULL,
	`provider` text NOT NULL,
	`issuer` text NOT NULL,
	`subject` text NOT NULL,
	`email` text,
	`created_ms` integer NOT NULL,
	`last_login_ms` integer,
	FOREIGN KEY (`user_id`) REFERENCES `users`(`id`) ON UPDATE no action ON DELETE cascade
);
--> statement-breakpoint
CREATE UNIQUE INDEX `social_identities_issuer_subject_idx` ON `social_identities` (`issuer`,`subject`);--> statement-breakpoint
CREATE INDEX `social_identities_user_id_idx` ON `social_identities` (`user_id`);
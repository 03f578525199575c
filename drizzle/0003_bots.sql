CREATE TYPE "public"."backtest_status" AS ENUM('queued', 'running', 'done', 'failed');--> statement-breakpoint
CREATE TYPE "public"."bot_event_kind" AS ENUM('risk', 'info', 'error');--> statement-breakpoint
CREATE TYPE "public"."bot_status" AS ENUM('running', 'stopped', 'error');--> statement-breakpoint
CREATE TYPE "public"."bot_type" AS ENUM('grid', 'spread', 'signal');--> statement-breakpoint
CREATE TABLE "backtest_runs" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"name" text NOT NULL,
	"type" "bot_type" NOT NULL,
	"config" jsonb NOT NULL,
	"settings" jsonb NOT NULL,
	"exchange" text NOT NULL,
	"from_ts" bigint NOT NULL,
	"to_ts" bigint NOT NULL,
	"status" "backtest_status" DEFAULT 'queued' NOT NULL,
	"progress" double precision DEFAULT 0 NOT NULL,
	"error" text,
	"metrics" jsonb,
	"result" jsonb,
	"created_at" bigint NOT NULL,
	"finished_at" bigint
);
--> statement-breakpoint
CREATE TABLE "bot_events" (
	"id" serial PRIMARY KEY NOT NULL,
	"bot_id" text NOT NULL,
	"ts" bigint NOT NULL,
	"kind" "bot_event_kind" NOT NULL,
	"code" text NOT NULL,
	"message" text NOT NULL,
	"detail" jsonb DEFAULT '{}'::jsonb NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bot_series" (
	"bot_id" text NOT NULL,
	"series" text NOT NULL,
	"ts" bigint NOT NULL,
	"value" double precision NOT NULL,
	CONSTRAINT "bot_series_bot_id_series_ts_pk" PRIMARY KEY("bot_id","series","ts")
);
--> statement-breakpoint
CREATE TABLE "bot_trades" (
	"id" serial PRIMARY KEY NOT NULL,
	"bot_id" text NOT NULL,
	"symbol" text NOT NULL,
	"side" text NOT NULL,
	"entry_client_order_id" text NOT NULL,
	"exit_client_order_id" text NOT NULL,
	"amount" numeric NOT NULL,
	"entry_price" numeric NOT NULL,
	"exit_price" numeric NOT NULL,
	"entry_fee" numeric NOT NULL,
	"exit_fee" numeric NOT NULL,
	"pnl" numeric NOT NULL,
	"opened_at" bigint NOT NULL,
	"closed_at" bigint NOT NULL
);
--> statement-breakpoint
CREATE TABLE "bots" (
	"id" text PRIMARY KEY NOT NULL,
	"user_id" text NOT NULL,
	"account_id" text NOT NULL,
	"name" text NOT NULL,
	"type" "bot_type" NOT NULL,
	"config" jsonb NOT NULL,
	"status" "bot_status" DEFAULT 'stopped' NOT NULL,
	"last_error" text,
	"runtime" jsonb,
	"realized_pnl" numeric DEFAULT '0' NOT NULL,
	"round_trips" integer DEFAULT 0 NOT NULL,
	"started_at" bigint,
	"lease_owner" text,
	"lease_until" bigint,
	"created_at" bigint NOT NULL,
	"updated_at" bigint NOT NULL
);
--> statement-breakpoint
ALTER TABLE "backtest_runs" ADD CONSTRAINT "backtest_runs_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bot_events" ADD CONSTRAINT "bot_events_bot_id_bots_id_fk" FOREIGN KEY ("bot_id") REFERENCES "public"."bots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bot_series" ADD CONSTRAINT "bot_series_bot_id_bots_id_fk" FOREIGN KEY ("bot_id") REFERENCES "public"."bots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bot_trades" ADD CONSTRAINT "bot_trades_bot_id_bots_id_fk" FOREIGN KEY ("bot_id") REFERENCES "public"."bots"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bots" ADD CONSTRAINT "bots_user_id_users_id_fk" FOREIGN KEY ("user_id") REFERENCES "public"."users"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "bots" ADD CONSTRAINT "bots_account_id_exchange_accounts_id_fk" FOREIGN KEY ("account_id") REFERENCES "public"."exchange_accounts"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "backtest_runs_user_idx" ON "backtest_runs" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "bot_events_bot_idx" ON "bot_events" USING btree ("bot_id","id");--> statement-breakpoint
CREATE INDEX "bot_trades_bot_idx" ON "bot_trades" USING btree ("bot_id","closed_at");--> statement-breakpoint
CREATE INDEX "bots_user_idx" ON "bots" USING btree ("user_id","created_at");--> statement-breakpoint
CREATE INDEX "bots_status_idx" ON "bots" USING btree ("status");